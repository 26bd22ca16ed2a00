import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NotificationEvent } from '@conveyor/contracts';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** Body of `PUT /api/v1/notifications/settings`: replaces the caller's settings. */
export class PutNotificationSettingsRequest {
  @ApiProperty({
    description: 'Receives a signed POST when one of your flows or long jobs ends; must pass the same outbound policy as callbackUrl',
    example: 'https://example.com/hooks/conveyor-notifications',
    maxLength: 2048,
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({
    description: 'Your own HMAC secret for notifications (default: the service’s); never shown again. Left out: the service’s.',
    minLength: 16,
    maxLength: 256,
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;

  @ApiPropertyOptional({ enum: NotificationEvent, isArray: true, description: 'The events you are told of; default: all of them' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.values(NotificationEvent).length)
  @IsEnum(NotificationEvent, { each: true })
  events?: NotificationEvent[];
}
