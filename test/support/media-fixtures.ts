import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPath } from '@conveyor/products/video-analysis/worker';

/** The loud bursts of the test video, in seconds: [start, end). */
export const LOUD_BURSTS: Array<[number, number]> = [
  [20, 23],
  [45, 48],
];
export const TEST_VIDEO_SECONDS = 60;

/**
 * A real video made by FFmpeg: 60 s of test pattern (320×240, 25 fps, H.264) with a quiet 440 Hz
 * tone that is loud during LOUD_BURSTS (AAC). Made once per process.
 */
let made: Buffer | undefined;
export function testVideo(): Buffer {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-video-'));
  const out = join(dir, 'test.mp4');
  const loud = LOUD_BURSTS.map(([a, b]) => `between(t,${a},${b - 0.001})`).join('+');
  execFileSync(ffmpegPath(), [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${TEST_VIDEO_SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${TEST_VIDEO_SECONDS}`,
    '-filter_complex', `[1:a]volume='if(${loud},1.0,0.02)':eval=frame[a]`,
    '-map', '0:v', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out,
  ]); // prettier-ignore
  made = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return made;
}

/** A chat log: a few calm messages, and a burst of excited ones during the second loud burst. */
export function testChat(): Array<{ t: number; user: string; text: string }> {
  return [
    { t: 3, user: 'ann', text: 'hi all' },
    { t: 14, user: 'bob', text: 'ok' },
    { t: 31, user: 'cy', text: 'hmm' },
    ...Array.from({ length: 15 }, (_, i) => ({ t: 45 + i * 0.3, user: `fan${i % 5}`, text: 'WOW that was amazing!! love it' })),
    { t: 55, user: 'dee', text: 'gg' },
  ];
}
