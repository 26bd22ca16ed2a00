import { ArgumentsHost, Logger } from '@nestjs/common';
import { AppConfig } from '@conveyor/config';
import { errorField } from '@conveyor/contracts';
import { ErrorEnvelopeFilter } from '@conveyor/http';
import express from 'express';
import { Writable } from 'node:stream';
import pinoHttp, { Options } from 'pino-http';
import request from 'supertest';
import { apiLoggerParams } from './api-logging';

describe('apiLoggerParams', () => {
  /** The API's logger as nestjs-pino builds it (pino-http with these options), writing into an array. */
  function apiLogger() {
    const lines: Array<Record<string, any>> = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const options = apiLoggerParams({ logLevel: 'log' } as AppConfig).pinoHttp as Options;
    const http = pinoHttp(options, sink);
    return { http, logger: http.logger, lines };
  }

  it("writes an err field with the error's own class, whether logged cut down or as the Error itself", () => {
    const { logger, lines } = apiLogger();
    logger.warn(errorField(new TypeError('connect refused')), 'counters unreachable');
    logger.warn({ err: Object.assign(new RangeError('too far'), { request: { headers: { authorization: 'Bearer s3cret' } } }) }, 'raw');
    expect(lines[0].err).toMatchObject({ type: 'TypeError', message: 'connect refused' });
    expect(lines[1].err).toMatchObject({ type: 'RangeError', message: 'too far' });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it("names an unexpected error in the 500 request's log line, not pino-http's stand-in", async () => {
    const { http, lines } = apiLogger();
    const filter = new ErrorEnvelopeFilter();
    Logger.overrideLogger(false); // the filter's own "Unhandled error" line: not this test's subject
    try {
      const app = express()
        .use(http)
        .get('/boom', (req, res) => {
          const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
          filter.catch(new SyntaxError('unexpected token in the counters'), host);
        });
      expect((await request(app).get('/boom')).status).toBe(500);
    } finally {
      Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
    }
    const line = lines.find((l) => l.msg === 'request errored');
    expect(line?.err).toMatchObject({ type: 'SyntaxError', message: 'unexpected token in the counters' });
  });
});
