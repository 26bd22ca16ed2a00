/**
 * Fails to compile when `T` does not fit `U`: a documentation class (Swagger) and the type the
 * code really returns are tied with it, e.g. `Fits<keyof Policy, keyof PolicyResponse>`.
 */
export type Fits<T extends U, U> = T;
