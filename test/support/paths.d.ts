export declare const ROOT: string;
export declare const WORKER_MAIN: string;
export declare const API_MAIN: string;
export declare const PROBE_WORKER_MAIN: string;
export declare const TEST_MONGO_URL: string;
