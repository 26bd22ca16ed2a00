import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { BUSINESS_DISCOVERY_QUEUE } from './business-discovery.queues';
import { HTTP_URL } from './payload-rules';
import { DiscoverCompetitorsResult, DiscoverWithInstagramResult, ValidateBusinessResult } from './business-discovery.results';

/** What to look for, as seed 004's examples send it (where: each type says). */
export class BusinessSearch {
  @ApiProperty({ example: 'Downtown Restaurant', maxLength: 200, description: 'The business the discovery is for' })
  @IsString()
  @Length(1, 200)
  businessName!: string;

  @ApiPropertyOptional({ example: 'restaurant', maxLength: 100, description: 'What to search for; the business name when left out' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  businessType?: string;

  @ApiPropertyOptional({ example: 50, minimum: 0.1, maximum: 500, default: 10, description: 'Search radius, km' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(500)
  radius?: number;
}

export class DiscoverCompetitorsPayload extends BusinessSearch {
  @ApiPropertyOptional({ example: 'New York, NY', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  location?: string;

  @ApiPropertyOptional({ example: 'test123', maxLength: 200, description: 'The caller’s own id for the business, echoed in the result' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessId?: string;
}

export class DiscoverWithInstagramPayload extends BusinessSearch {
  @ApiProperty({ example: 'New York, NY', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  location!: string;
}

export class ValidateBusinessPayload {
  @ApiProperty({ example: 'Luigi’s Trattoria', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: '12 Mulberry St, New York, NY', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: 'https://luigis.example.com', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'website must be an http(s) URL' })
  website?: string;
}

/** The steps of the whole chain's first job: it finds the businesses, then starts a detection per business. */
export enum DiscoveryStep {
  FindBusinesses = 'Finding businesses',
  StartDetection = 'Detecting Instagram profiles',
}

export const DISCOVER_COMPETITORS = 'discover-competitors';
export const DISCOVER_WITH_INSTAGRAM = 'discover-with-instagram';
export const VALIDATE_BUSINESS = 'validate-business';

export const discoverCompetitorsJob = defineJobType({
  type: DISCOVER_COMPETITORS,
  queue: BUSINESS_DISCOVERY_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: find businesses near a place through the places service (PLACES_SERVICE_URL), then validate each in a ' +
    '`validate-business` child job. The result lists what was found.',
  payload: DiscoverCompetitorsPayload,
  result: DiscoverCompetitorsResult,
  steps: [
    { name: DiscoveryStep.FindBusinesses, weight: 60 },
    { name: 'Validating businesses', weight: 40 },
  ],
});

export const discoverWithInstagramJob = defineJobType({
  type: DISCOVER_WITH_INSTAGRAM,
  queue: BUSINESS_DISCOVERY_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004’s whole chain as one flow: businesses near `location` → their Instagram handles (from their websites, confirmed ' +
    'by the profile service) → top reels by outlier score → videos downloaded and analysed → insights and trends → a report ' +
    'and its PDF. The result names the report (`GET /api/v1/reports/{reportId}`); `GET /api/v1/jobs/{jobId}/flow` follows it.',
  payload: DiscoverWithInstagramPayload,
  result: DiscoverWithInstagramResult,
  steps: [
    { name: DiscoveryStep.FindBusinesses, weight: 70 },
    { name: DiscoveryStep.StartDetection, weight: 30 },
  ],
});

export const validateBusinessJob = defineJobType({
  type: VALIDATE_BUSINESS,
  queue: BUSINESS_DISCOVERY_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: checks a business — name and address present, website answering with a page.',
  payload: ValidateBusinessPayload,
  result: ValidateBusinessResult,
  outboundUrls: (payload) => (payload.website ? [{ field: 'website', url: payload.website }] : []),
  steps: [{ name: 'Checking business', weight: 1 }],
});
