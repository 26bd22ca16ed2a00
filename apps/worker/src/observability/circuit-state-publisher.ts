import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { errorField } from '@conveyor/contracts';
import { CircuitBreakers, CircuitState } from '@conveyor/job-runtime';
import { CircuitStates } from '@conveyor/queueing';
import { WorkerHeartbeatService } from './worker-heartbeat.service';
import { WorkerMetrics } from './worker-metrics';

const GAUGE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * This worker's circuit breakers, configured from CIRCUIT_* and made visible: every state change
 * goes to `conveyor_circuit_state` on its /metrics and to the shared states `/health/detailed`
 * reads (CircuitStates), under the worker's heartbeat id.
 */
@Injectable()
export class CircuitStatePublisher implements OnModuleInit {
  private readonly logger = new Logger(CircuitStatePublisher.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly breakers: CircuitBreakers,
    private readonly states: CircuitStates,
    private readonly metrics: WorkerMetrics,
    private readonly heartbeat: WorkerHeartbeatService,
  ) {}

  onModuleInit(): void {
    this.breakers.configure(this.config.circuits);
    this.breakers.onChange((origin, state) => {
      this.metrics.circuitState.set({ service: origin }, GAUGE[state]);
      this.states.record(this.heartbeat.id, origin, state).catch((error: unknown) => {
        this.logger.warn(errorField(error), `Circuit state of ${origin} not shared`);
      });
    });
  }
}
