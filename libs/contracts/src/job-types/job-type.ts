/** Names of the platform's own job types; a product names its types in its contracts. */
export enum JobType {
  HttpRequest = 'http.request',
}
