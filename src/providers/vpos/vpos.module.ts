import { Module } from '@nestjs/common';
import { VposClient } from './vpos.client';

@Module({ providers: [VposClient], exports: [VposClient] })
export class VposModule {}
