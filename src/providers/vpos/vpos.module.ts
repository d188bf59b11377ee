import { DynamicModule, Module } from '@nestjs/common';
import { VPOS_CRM_REF_KEYS, VposClient } from './vpos.client';

@Module({})
export class VposModule {
  static forCrmRefs(crmRefKeys: readonly string[]): DynamicModule {
    return {
      module: VposModule,
      providers: [VposClient, { provide: VPOS_CRM_REF_KEYS, useValue: crmRefKeys }],
      exports: [VposClient],
    };
  }
}
