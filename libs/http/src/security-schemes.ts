/**
 * The OpenAPI security schemes, by the names operations cite: the gateway's user header, an
 * anonymous session, the administrators' token, a JWT (IDENTITY_MODE=jwt), and the metrics scrape
 * token. The three tokens all travel as `Authorization: Bearer`; naming each tells a client which.
 */
export const SECURITY = {
  userId: 'userId',
  sessionId: 'sessionId',
  adminToken: 'adminToken',
  jwt: 'jwt',
  metricsToken: 'metricsToken',
} as const;
