import { Injectable, Module } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { plainString } from '@conveyor/database';
import { VideoAnalysisRecord, VideoAnalysisRecordSchema } from './video-analysis-record.schema';

/** Finished analyses by job id; a redelivered job writes the same document again. */
@Injectable()
export class VideoAnalysesRepository {
  constructor(@InjectModel(VideoAnalysisRecord.name) private readonly model: Model<VideoAnalysisRecord>) {}

  async save(record: VideoAnalysisRecord): Promise<void> {
    await this.model.replaceOne({ _id: record._id }, record, { upsert: true }).exec();
  }

  async findOwned(ownerKey: string, jobId: string): Promise<VideoAnalysisRecord | null> {
    return this.model
      .findOne({ _id: plainString(jobId), owner_key: plainString(ownerKey) })
      .lean<VideoAnalysisRecord>()
      .exec();
  }
}

/** The product's collection on the platform's MongoDB connection. */
@Module({
  imports: [MongooseModule.forFeature([{ name: VideoAnalysisRecord.name, schema: VideoAnalysisRecordSchema }])],
  providers: [VideoAnalysesRepository],
  exports: [VideoAnalysesRepository],
})
export class VideoAnalysisDataModule {}
