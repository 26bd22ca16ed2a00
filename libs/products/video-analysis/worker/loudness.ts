import { ffmpegPath, runMediaTool } from './media-tools';

/** Samples per second of the mono PCM the loudness is measured on (enough for loudness, small to stream). */
const SAMPLE_RATE = 8_000;
/** The floor of the scale: digital silence reads this, not −Infinity. */
const SILENCE_DB = -90;

/**
 * The audio's loudness per second (RMS in dBFS), decoded by FFmpeg to mono 16-bit PCM and measured
 * here as it streams. `onSeconds` hears how many seconds are done (for progress).
 */
export async function loudnessPerSecond(path: string, signal: AbortSignal, onSeconds?: (seconds: number) => void): Promise<number[]> {
  const perSecond: number[] = [];
  let sumSquares = 0;
  let samples = 0;
  let carry: Buffer = Buffer.alloc(0);
  const flush = () => {
    perSecond.push(samples === 0 ? SILENCE_DB : toDb(Math.sqrt(sumSquares / samples)));
    sumSquares = 0;
    samples = 0;
    onSeconds?.(perSecond.length);
  };
  await runMediaTool(
    ffmpegPath(),
    ['-v', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'],
    signal,
    (chunk) => {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = data.length - (data.length % 2);
      for (let offset = 0; offset < whole; offset += 2) {
        const sample = data.readInt16LE(offset) / 32768;
        sumSquares += sample * sample;
        if (++samples === SAMPLE_RATE) flush();
      }
      carry = data.subarray(whole);
    },
  );
  if (samples > SAMPLE_RATE / 10) flush(); // a last partial second of at least 100 ms
  return perSecond;
}

function toDb(rms: number): number {
  return rms <= 0 ? SILENCE_DB : Math.max(SILENCE_DB, Math.round(20 * Math.log10(rms) * 10) / 10);
}

/** Extracts the audio as 16 kHz mono WAV (what transcription services expect) into `outPath`. */
export async function extractAudio(path: string, outPath: string, signal: AbortSignal): Promise<void> {
  await runMediaTool(ffmpegPath(), ['-v', 'error', '-y', '-i', path, '-vn', '-ac', '1', '-ar', '16000', '-f', 'wav', outPath], signal);
}
