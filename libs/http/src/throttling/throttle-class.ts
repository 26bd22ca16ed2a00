import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** Which limit a route counts against; `read` unless a route or controller says otherwise. */
export type ThrottleClass = 'read' | 'submit' | 'bulk' | 'admin' | 'none';

const THROTTLE_CLASS = 'conveyor:throttle-class';

/** Puts a route (or every route of a controller) under a limit class; `none` for health probes. */
export const ThrottleAs = (throttleClass: ThrottleClass) => SetMetadata(THROTTLE_CLASS, throttleClass);

export function throttleClassOf(reflector: Reflector, context: ExecutionContext): ThrottleClass {
  return reflector.getAllAndOverride<ThrottleClass | undefined>(THROTTLE_CLASS, [context.getHandler(), context.getClass()]) ?? 'read';
}
