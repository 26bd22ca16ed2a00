export * from './dto/analysis.dto';
export * from './video-analysis-api.module';
export * from './video-analysis.controller';
export * from './video-analysis.service';
