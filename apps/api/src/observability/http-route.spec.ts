import { routeLabel } from './http-route';

describe(routeLabel.name, () => {
  const req = (originalUrl: string, route?: unknown, baseUrl = '') => ({
    originalUrl,
    baseUrl,
    route: route === undefined ? undefined : { path: route },
  });

  it('uses the matched route template, never the concrete path', () => {
    expect(routeLabel(req('/api/v1/jobs/6f1c?x=1', '/api/v1/jobs/:jobId'))).toBe('/api/v1/jobs/:jobId');
    expect(routeLabel(req('/admin/queues/api/queues/http/pause', '/api/queues/:queueName/pause', '/admin/queues'))).toBe(
      '/admin/queues/api/queues/:queueName/pause',
    );
  });

  it('groups dashboard requests without a template, and labels everything else unmatched', () => {
    expect(routeLabel(req('/admin/queues/static/js/main.js'))).toBe('/admin/queues/*');
    expect(routeLabel(req('/admin/queues', ['/', '/queue/:queueName'], '/admin/queues'))).toBe('/admin/queues/*');
    expect(routeLabel(req('/admin/queuesx'))).toBe('unmatched');
    expect(routeLabel(req('/no/such/route/123'))).toBe('unmatched');
    // Nest's middleware route (app.all(): every method) is not an endpoint.
    const middleware = { path: '{/*splat}', methods: { get: true, post: true, put: true, delete: true } };
    expect(routeLabel({ originalUrl: '/no/such/route', baseUrl: '', route: middleware })).toBe('unmatched');
  });
});
