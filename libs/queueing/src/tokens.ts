/** Injection token of the JobTypeRegistry in use (the default one, or the benchmark's). */
export const JOB_TYPE_REGISTRY = Symbol('JOB_TYPE_REGISTRY');
