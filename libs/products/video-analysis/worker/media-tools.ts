import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { spawn } from 'node:child_process';

/** FFmpeg and ffprobe as npm ships them (@ffmpeg-installer, @ffprobe-installer): `npm ci` installs both. */
export const FFMPEG_PATH = ffmpegInstaller.path;
export const FFPROBE_PATH = ffprobeInstaller.path;

const STDERR_KEPT = 4_000;

/**
 * Runs a media tool and resolves with its stdout; `onStdout` instead streams it (then the result is
 * empty). Killed when `signal` aborts. A non-zero exit rejects with the end of its stderr.
 */
export function runMediaTool(binary: string, args: string[], signal: AbortSignal, onStdout?: (chunk: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      reject(new Error(`${binary.split('/').pop()} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
