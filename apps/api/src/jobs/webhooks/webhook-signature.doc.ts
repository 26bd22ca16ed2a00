/** How every webhook Conveyor sends is signed, as job webhooks' and notifications' Swagger descriptions say it. */
export const WEBHOOK_SIGNATURE_DOC =
  'Headers as Standard Webhooks specifies them: `Webhook-Id` (the same in every attempt of one delivery: drop duplicates ' +
  'by it), `Webhook-Timestamp` (unix seconds of the attempt) and `Webhook-Signature: v1,<base64 HMAC-SHA256>` over ' +
  '`<Webhook-Id>.<Webhook-Timestamp>.<raw body>`, keyed with your secret (a `whsec_` secret: its base64-decoded bytes; ' +
  'any other: its UTF-8 bytes), or with the service’s WEBHOOK_SIGNING_SECRET. While WEBHOOK_LEGACY_SIGNATURE is on, the ' +
  'header also carries the older `v1=<base64>` form, keyed with the secret’s UTF-8 bytes.';
