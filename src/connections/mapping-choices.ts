import { BadGatewayException, ConflictException, HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ConnectionContext,
  ConnectorError,
  CrmConnector,
  MappingChoices,
} from '../connectors/crm-connector';

@ApiSchema({ name: 'Choice' })
export class ChoiceDto {
  @ApiProperty({ example: 'UF_CRM_PAID_AT' }) id: string;
  @ApiProperty({ example: 'Paid at' }) name: string;
  @ApiPropertyOptional({ example: 'datetime' }) type?: string;
}

@ApiSchema({ name: 'PipelineChoice' })
export class PipelineChoiceDto extends ChoiceDto {
  @ApiProperty({ type: [ChoiceDto], description: 'stages (Bitrix24) or statuses (amoCRM)' })
  stages: ChoiceDto[];
}

@ApiSchema({ name: 'MappingChoices' })
export class MappingChoicesDto {
  @ApiProperty({ example: 'bitrix24' }) type: string;
  @ApiPropertyOptional({ type: [PipelineChoiceDto] }) pipelines?: PipelineChoiceDto[];
  @ApiPropertyOptional({ type: [ChoiceDto], description: 'UF_CRM_* or lead custom fields' })
  fields?: ChoiceDto[];
  @ApiPropertyOptional({ type: [String], description: "the spreadsheet's tabs" })
  tabs?: string[];
  @ApiPropertyOptional({ description: 'the tab the header row was read from' })
  sheetName?: string;
  @ApiPropertyOptional({ type: [String], description: "that tab's row 1" })
  header?: string[];
}

/** The destination's live choices; its failures answered by kind (a refused token is no 5xx). */
export async function readChoices(
  connector: CrmConnector,
  ctx: ConnectionContext,
): Promise<MappingChoicesDto> {
  if (!connector.choices) {
    throw new ConflictException(`type: ${ctx.type} connections have no mapping to choose from`);
  }
  let choices: MappingChoices;
  try {
    choices = await connector.choices(ctx);
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    switch (err.kind) {
      case 'auth':
        throw new ConflictException(
          `connection: ${ctx.displayName} refused the hub's credentials; reconnect it (${err.message})`,
        );
      case 'permanent':
        throw new HttpException(
          `connection: ${ctx.displayName} refused to list its choices (${err.message})`,
          HttpStatus.FAILED_DEPENDENCY,
        );
      case 'retryable':
        throw new BadGatewayException(
          `connection: ${ctx.displayName} did not answer; try again (${err.message})`,
        );
    }
  }
  return { type: ctx.type, ...choices };
}
