import { OutboundPolicy, addressRefusal } from '@conveyor/contracts';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, AgentOptions, ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions } from 'node:https';
import { LookupFunction, isIP } from 'node:net';
import { Duplex } from 'node:stream';

/** A connection the outbound policy refused: retrying would be refused again. */
export class AddressRefusedError extends Error {}

type ConnectCallback = (error: Error | null, socket: Duplex) => void;
type Connect = (options: ClientRequestArgs, callback?: ConnectCallback) => Duplex | null | undefined;

/**
 * Connects only where the outbound policy allows (addressRefusal, the verdict submissions are
 * checked with): to a literal address, or to a name whose every resolved address passes. The
 * check sits in the lookup the socket connects with, so the address checked is the one dialled
 * and DNS rebinding has no window.
 */
function connectGuarded(policy: OutboundPolicy, connect: Connect, options: ClientRequestArgs, callback?: ConnectCallback) {
  const host = options.host ?? '';
  const refusal = isIP(host) ? addressRefusal(host, policy) : undefined;
  if (refusal) {
    // Node's agent takes the callback's error as the request's error when nothing is returned.
    callback?.(new AddressRefusedError(`${host}: ${refusal}`), undefined as never);
    return undefined;
  }
  return connect({ ...options, lookup: guardedLookup(policy, options.lookup ?? (dnsLookup as LookupFunction)) }, callback);
}

function guardedLookup(policy: OutboundPolicy, lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      for (const resolved of typeof address === 'string' ? [address] : address.map((a) => a.address)) {
        const refusal = addressRefusal(resolved, policy);
        if (refusal) return callback(new AddressRefusedError(`${hostname} resolves to ${resolved}: ${refusal}`), address, family);
      }
      callback(null, address, family);
    });
}

/** node:http's agent, connecting only where the outbound policy allows. */
export class PolicyHttpAgent extends HttpAgent {
  constructor(
    private readonly policy: OutboundPolicy,
    options?: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback) {
    return connectGuarded(this.policy, (o, cb) => super.createConnection(o, cb), options, callback);
  }
}

/** node:https's agent, connecting only where the outbound policy allows. */
export class PolicyHttpsAgent extends HttpsAgent {
  constructor(
    private readonly policy: OutboundPolicy,
    options?: HttpsAgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback) {
    return connectGuarded(this.policy, (o, cb) => super.createConnection(o, cb), options, callback);
  }
}
