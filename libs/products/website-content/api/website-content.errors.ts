import { productErrorCode } from '@conveyor/contracts';

/** The product's own error codes (seed 003's situations). */
export const WebsiteContentErrorCode = {
  /** The generation service a content generation needs is not configured: nothing useful could run. */
  ServiceNotConfigured: productErrorCode('SERVICE_NOT_CONFIGURED', 503),
  /** `organizationId` is not the caller's organization. */
  OrganizationNotFound: productErrorCode('ORGANIZATION_NOT_FOUND', 404),
} as const;
