/** Names of the built-in job types. */
export enum JobType {
  HttpRequest = 'http.request',
  ViralIdeasAnalysis = 'viral-ideas.analysis',
}
