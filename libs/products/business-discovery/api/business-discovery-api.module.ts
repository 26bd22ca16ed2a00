import { Module } from '@nestjs/common';
import { BusinessDiscoveryDataModule } from '../data';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** The business-discovery product's API: its reports. Its jobs are submitted through POST /api/v1/jobs. */
@Module({
  imports: [BusinessDiscoveryDataModule],
  controllers: [ReportsController],
  providers: [ReportsService],
})
export class BusinessDiscoveryApiModule {}
