import { Module } from '@nestjs/common';
import { ViralIdeasDataModule } from '../data';
import { ViralRunHooks } from './viral-run-hooks';
import { ViralRunStarter } from './viral-run-starter';

/** How runs start (claim + enqueue) and how entries hear that they ended; both apps use it. */
@Module({
  imports: [ViralIdeasDataModule],
  providers: [ViralRunStarter, ViralRunHooks],
  exports: [ViralRunStarter, ViralIdeasDataModule],
})
export class ViralRunsModule {}
