import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, map } from 'rxjs';

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  message?: string;
}

/** A route's answer with a human-readable `message` next to its data. */
export class WithMessage<T> {
  constructor(
    readonly data: T,
    readonly message: string,
  ) {}
}

/**
 * A route's answer with fields beside the envelope's, for a document that defines its own top
 * level (seed 004's `/health`); the envelope's `success` and `data` stay as they are.
 */
export class WithTopLevel<T> {
  constructor(
    readonly data: T,
    readonly fields: Record<string, unknown>,
  ) {}
}

/** Wraps every successful response body as `{ success: true, data, message? }` (DESIGN §4). */
@Injectable()
export class SuccessEnvelopeInterceptor<T> implements NestInterceptor<T | WithMessage<T> | WithTopLevel<T>, SuccessEnvelope<T>> {
  intercept(_context: ExecutionContext, next: CallHandler<T | WithMessage<T> | WithTopLevel<T>>): Observable<SuccessEnvelope<T>> {
    return next
      .handle()
      .pipe(
        map((body) =>
          body instanceof WithMessage
            ? { success: true as const, data: body.data, message: body.message }
            : body instanceof WithTopLevel
              ? { ...body.fields, success: true as const, data: body.data }
              : { success: true as const, data: body },
        ),
      );
  }
}
