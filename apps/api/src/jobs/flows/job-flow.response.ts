import { ApiProperty } from '@nestjs/swagger';

export class FlowNodeResponse {
  @ApiProperty() jobId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() queue!: string;
  @ApiProperty({ description: "In the job type's own words (as every job view)" }) status!: string;
  @ApiProperty({ description: "Conveyor's word" }) conveyorStatus!: string;
  @ApiProperty({ description: 'Percent; 100 once ended' }) progress!: number;
  @ApiProperty({ enum: ['root', 'child', 'continuation'], description: '`root`: the job asked about' }) role!: string;
  @ApiProperty({ type: String, nullable: true, description: "The child's key in its parent's fan-out (a continuation: the step)" })
  key!: string | null;
  @ApiProperty({ type: () => [FlowNodeResponse] }) children!: FlowNodeResponse[];
}

export class FanOutResponse {
  @ApiProperty() parentId!: string;
  @ApiProperty() step!: string;
  @ApiProperty() children!: number;
  @ApiProperty({ enum: ['child-failure-fails', 'child-failure-continues'] }) policy!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['continued', 'failed', 'cancelled', 'no-continuation', null] })
  outcome!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

/** The flow under a job in short: in the job read of a job that fanned out, and in the tree. */
export class FlowProgressResponse {
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'cancelled'] }) status!: 'running' | 'completed' | 'failed' | 'cancelled';
  @ApiProperty({ description: 'Jobs of the tree per status (Conveyor’s words)', type: 'object', additionalProperties: { type: 'integer' } })
  counts!: Record<string, number>;
  @ApiProperty({ description: 'Jobs in the tree, the job itself included' }) total!: number;
  @ApiProperty({ description: 'Mean progress of every job of the tree, %' }) progress!: number;
}

export class FlowSummaryResponse extends FlowProgressResponse {
  @ApiProperty({ type: [FanOutResponse] }) fanOuts!: FanOutResponse[];
}

/** GET /api/v1/jobs/:jobId/flow: the job and every job its fan-outs started, as a tree. */
export class JobFlowResponse extends FlowNodeResponse {
  @ApiProperty({ type: FlowSummaryResponse }) flow!: FlowSummaryResponse;
}
