import { EventStreamParser } from './event-stream';

describe(EventStreamParser.name, () => {
  it('reads id, event and JSON data, whatever the chunks', () => {
    const text =
      'retry: 3000\n\nid: 1\nevent: snapshot\ndata: {"jobId":"j","status":"waiting"}\n\nid: 2\nevent: progress\ndata: {"percent":40}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new EventStreamParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events).toEqual([
        { id: '1', event: 'snapshot', data: { jobId: 'j', status: 'waiting' } },
        { id: '2', event: 'progress', data: { percent: 40 } },
      ]);
      expect(parser.retryMs).toBe(3000);
    }
  });

  it('takes CRLF and CR line ends, even a CRLF split across chunks', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: a\r\ndata: 1\r')).toEqual([]);
    expect(parser.push('\n\r\nevent: b\rdata: 2\r\r\n')).toEqual([
      { event: 'a', data: 1 },
      { event: 'b', data: 2 },
    ]);
  });

  it('skips comments, joins data lines, keeps non-JSON data as text, and names an unnamed event "message"', () => {
    const parser = new EventStreamParser();
    expect(parser.push(': ping\n\ndata: first line\ndata:second\n\n')).toEqual([{ event: 'message', data: 'first line\nsecond' }]);
  });

  it('dispatches no event without data, and carries the last id to later events', () => {
    const parser = new EventStreamParser();
    expect(parser.push('id: 7\nevent: nothing\n\nevent: reconnect\ndata: {}\n\n')).toEqual([{ id: '7', event: 'reconnect', data: {} }]);
  });
});
