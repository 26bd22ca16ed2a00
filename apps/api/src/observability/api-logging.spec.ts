import { AppConfig } from '@conveyor/config';
import { errorField } from '@conveyor/contracts';
import { Writable } from 'node:stream';
import pinoHttp, { Options } from 'pino-http';
import { apiLoggerParams } from './api-logging';

describe('apiLoggerParams', () => {
  /** The API's logger as nestjs-pino builds it (pino-http with these options), writing into an array. */
  function apiLogger() {
    const lines: Array<Record<string, any>> = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const options = apiLoggerParams({ logLevel: 'log' } as AppConfig).pinoHttp as Options;
    return { logger: pinoHttp(options, sink).logger, lines };
  }

  it("writes an err field with the error's own class, whether logged cut down or as the Error itself", () => {
    const { logger, lines } = apiLogger();
    logger.warn(errorField(new TypeError('connect refused')), 'counters unreachable');
    logger.warn({ err: Object.assign(new RangeError('too far'), { request: { headers: { authorization: 'Bearer s3cret' } } }) }, 'raw');
    expect(lines[0].err).toMatchObject({ type: 'TypeError', message: 'connect refused' });
    expect(lines[1].err).toMatchObject({ type: 'RangeError', message: 'too far' });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
