import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

export class CreateOperatorDto {
  @ApiProperty({ example: 'anna@example.am' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email: string;

  @ApiProperty({ example: 'Anna', description: 'shown in the audit trail' })
  @IsString({ message: 'name must be a string' })
  @Matches(/^[\p{L}\p{N} ._@-]{1,64}$/u, {
    message: 'name must be 1-64 letters, digits, spaces or . _ @ -',
  })
  name: string;

  @ApiProperty({ minLength: 12, maxLength: 72 })
  @IsString({ message: 'password must be a string' })
  // bcrypt reads at most 72 bytes
  @Length(12, 72, { message: 'password must be 12 to 72 characters' })
  password: string;
}

export class UpdateOperatorDto {
  @ApiProperty({ description: 'a disabled operator cannot sign in; their sessions end' })
  @IsBoolean({ message: 'disabled must be a boolean' })
  disabled: boolean;
}

export class SignInDto {
  @ApiProperty()
  @IsString({ message: 'email must be a string' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email: string;

  @ApiProperty()
  @IsString({ message: 'password must be a string' })
  @MaxLength(200, { message: 'password must be at most 200 characters' })
  password: string;
}

export class OperatorView {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: Date | null;
}

export class SessionOperator {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
}

export class SessionView {
  @ApiProperty({ type: SessionOperator }) operator: SessionOperator;
  @ApiProperty({ description: 'send as X-CSRF-Token on every change' }) csrfToken: string;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ description: 'the business time zone times are shown in' }) timeZone: string;
}
