/**
 * The OpenAPI security schemes, by the names operations cite: the gateway's user header, an
 * anonymous session, the administrators' token, a JWT (IDENTITY_MODE=jwt), the gateway's secret
 * (which, with the user header and `x-user-role: admin`, makes an administrator), and the metrics
 * scrape token. The three tokens all travel as `Authorization: Bearer`; naming each tells a client which.
 */
export const SECURITY = {
  userId: 'userId',
  sessionId: 'sessionId',
  adminToken: 'adminToken',
  jwt: 'jwt',
  gatewaySecret: 'gatewaySecret',
  metricsToken: 'metricsToken',
} as const;
