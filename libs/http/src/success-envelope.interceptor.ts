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

/** Wraps every successful response body as `{ success: true, data, message? }` (DESIGN §4). */
@Injectable()
export class SuccessEnvelopeInterceptor<T> implements NestInterceptor<T | WithMessage<T>, SuccessEnvelope<T>> {
  intercept(_context: ExecutionContext, next: CallHandler<T | WithMessage<T>>): Observable<SuccessEnvelope<T>> {
    return next
      .handle()
      .pipe(
        map((body) =>
          body instanceof WithMessage
            ? { success: true as const, data: body.data, message: body.message }
            : { success: true as const, data: body },
        ),
      );
  }
}
