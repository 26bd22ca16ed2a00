import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * FFmpeg and ffprobe as npm ships them (@ffmpeg-installer, @ffprobe-installer): `npm ci` installs
 * both. Resolved on first use, so only a worker that runs a media job needs the binaries.
 */
export function ffmpegPath(): string {
  return (loadPackage('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export function ffprobePath(): string {
  return (loadPackage('@ffprobe-installer/ffprobe') as { path: string }).path;
}

/** A package loaded when first asked for (a static import would load it in every app at start). */
const loadPackage = createRequire(__filename);

const STDERR_KEPT = 4_000;

/** A media tool ran and refused its input (a non-zero exit), as opposed to not running at all. */
export class MediaToolError extends Error {
  override readonly name = 'MediaToolError';
}

/**
 * Runs a media tool and resolves with its stdout; `onStdout` instead streams it (then the result is
 * empty). Killed when `signal` aborts. A non-zero exit rejects with a MediaToolError carrying the
 * end of its stderr; a tool that cannot start rejects with the spawn error.
 */
export function runMediaTool(binary: string, args: string[], signal: AbortSignal, onStdout?: (chunk: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    // Only local files: a crafted input must not make FFmpeg open URLs or other protocols.
    const child = spawn(binary, ['-protocol_whitelist', 'file,pipe', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const abort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => (onStdout ? onStdout(chunk) : out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-STDERR_KEPT)));
    child.on('error', (error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', abort);
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve(Buffer.concat(out));
      reject(new MediaToolError(`${binary.split('/').pop()} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
