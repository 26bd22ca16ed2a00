export * from './dto/website-content.dto';
export * from './website-content-api.module';
export * from './website-content.controller';
export * from './website-content.errors';
export * from './website-content.service';
