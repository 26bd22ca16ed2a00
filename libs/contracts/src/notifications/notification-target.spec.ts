import { NotificationEvent } from './notification-event';
import { OwnerNotificationSettings, notificationTarget } from './notification-target';

const owner = (over: Partial<OwnerNotificationSettings> = {}): OwnerNotificationSettings => ({
  url: 'https://owner.example/hooks',
  events: [NotificationEvent.FlowCompleted, NotificationEvent.JobFailed],
  ...over,
});
const target = (input: Partial<Parameters<typeof notificationTarget>[0]>) =>
  notificationTarget({
    event: NotificationEvent.FlowCompleted,
    owner: null,
    serviceUrl: 'https://service.example/notify',
    serviceSecretSet: true,
    ...input,
  });

describe(notificationTarget.name, () => {
  it("goes to the owner's URL, signed with their secret if they gave one", () => {
    expect(target({ owner: owner({ secret: 'own-secret-000000001' }) })).toEqual({
      url: 'https://owner.example/hooks',
      secret: 'own-secret-000000001',
      source: 'owner',
    });
    expect(target({ owner: owner() })).toEqual({ url: 'https://owner.example/hooks', source: 'owner' });
  });

  it('falls back to NOTIFICATION_WEBHOOK_URL only for an owner with no settings, else goes nowhere', () => {
    expect(target({})).toEqual({ url: 'https://service.example/notify', source: 'service' });
    expect(target({ serviceUrl: undefined })).toEqual({ skipped: expect.stringContaining('no notification URL') });
  });

  it("skips an event the owner did not subscribe to, without falling back to the service's URL", () => {
    expect(target({ owner: owner(), event: NotificationEvent.JobCompleted })).toEqual({
      skipped: expect.stringContaining('job.completed'),
    });
  });

  it('is never sent unsigned', () => {
    expect(target({ serviceSecretSet: false })).toEqual({ skipped: expect.stringContaining('WEBHOOK_SIGNING_SECRET') });
    expect(target({ owner: owner(), serviceSecretSet: false })).toEqual({ skipped: expect.stringContaining('nothing to sign with') });
    expect(target({ owner: owner({ secret: 'own-secret-000000001' }), serviceSecretSet: false })).toMatchObject({ source: 'owner' });
  });
});
