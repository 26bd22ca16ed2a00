import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { providersByType } from './providers-by-type';
import { Owner, errorField } from '@conveyor/contracts';

/** A run about to start: the new run of a job that the generic retry (or a requeue) starts. */
export interface RunStart {
  jobId: string;
  type: string;
  owner: Owner;
  run: number;
}

/**
 * What a job type's product checks before the platform starts another run of one of its jobs, for
 * state of its own that a run consumes (e.g. credits reserved for it). `admit` throws a
 * ConveyorError to refuse the run; `withdraw` undoes an admission whose run then did not start.
 */
export interface RunAdmission {
  admit(start: RunStart): Promise<void>;
  withdraw(start: RunStart): Promise<void>;
}

/** Marks a provider as the run admission of one job type: `@RunAdmissionFor('<job type>')`. */
export const RunAdmissionFor = DiscoveryService.createDecorator<string>();

/** Run admissions by job type, found through @RunAdmissionFor in the app that starts runs. */
@Injectable()
export class RunAdmissions implements OnModuleInit {
  private readonly logger = new Logger(RunAdmissions.name);
  private byType = new Map<string, RunAdmission[]>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    this.byType = providersByType<RunAdmission>(this.discovery, RunAdmissionFor);
  }

  /** Every admission of the type, in order; one refusal withdraws those already given and rejects. */
  async admit(start: RunStart): Promise<void> {
    const given: RunAdmission[] = [];
    try {
      for (const admission of this.byType.get(start.type) ?? []) {
        await admission.admit(start);
        given.push(admission);
      }
    } catch (error) {
      await this.withdrawAll(given, start);
      throw error;
    }
  }

  /** Undoes the admissions of a run that did not start. Never rejects: failures are logged. */
  async withdraw(start: RunStart): Promise<void> {
    await this.withdrawAll(this.byType.get(start.type) ?? [], start);
  }

  private async withdrawAll(admissions: RunAdmission[], start: RunStart): Promise<void> {
    for (const admission of admissions) {
      try {
        await admission.withdraw(start);
      } catch (error) {
        this.logger.warn(errorField(error), `Run admission of ${start.type} not withdrawn for job ${start.jobId} run ${start.run}`);
      }
    }
  }
}
