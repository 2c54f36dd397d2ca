import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isoLocal } from '../common/clock';
import { StatusService } from './status.service';
import {
  BotsHealthResponseDto,
  BotsStatusResponseDto,
  HealthResponseDto,
  PingResponseDto,
} from './dto/status-responses.dto';

@ApiTags('status')
@Controller()
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get('api/status')
  @ApiOperation({ summary: 'Liveness ping used by the web UI (no success field, as in the original)' })
  @ApiOkResponse({ type: PingResponseDto })
  ping(): PingResponseDto {
    return { status: 'online', service: 'bots', timestamp: this.status.now(), test: 'simple_endpoint' };
  }

  @Get('health')
  @ApiOperation({ summary: 'Health for the app.py proxy: status "ok" when the service is up' })
  @ApiOkResponse({ type: HealthResponseDto })
  health(): HealthResponseDto {
    const bots = this.status.bots();
    const mode = this.status.exchangeMode();
    return {
      status: 'ok',
      service: 'bots',
      timestamp: this.status.now(),
      exchange_connected: this.status.exchangeReady(),
      // Which account trades on which prices, so dry-run trades are never taken for real ones (docs/dry-run.md).
      exchange: mode.exchange,
      paper_market: mode.paper_market,
      dry_run: mode.dry_run,
      exchange_mode: mode.description,
      coins_loaded: this.status.coinsLoaded(),
      bots_active: bots.active,
    };
  }

  @Get('api/bots/health')
  @ApiOperation({ summary: 'Service health with component flags' })
  @ApiOkResponse({ type: BotsHealthResponseDto })
  botsHealth(): BotsHealthResponseDto {
    return {
      status: 'healthy',
      service: 'bots',
      timestamp: this.status.now(),
      uptime: this.status.uptimeSeconds(),
      components: {
        exchange: this.status.exchangeReady(),
        coins_loaded: this.status.coinsLoaded() > 0,
        bots_active: this.status.bots().active,
      },
    };
  }

  @Get('api/bots/status')
  @ApiOperation({ summary: 'Service status: coin data loading progress and bot counts' })
  @ApiOkResponse({ type: BotsStatusResponseDto })
  botsStatus(): BotsStatusResponseDto {
    const progress = this.status.progress();
    const bots = this.status.bots();
    return {
      success: true,
      status: 'running',
      service: 'bots',
      timestamp: this.status.now(),
      last_update: progress.lastUpdate ? isoLocal(progress.lastUpdate) : null,
      update_in_progress: progress.inProgress,
      coins_loaded: this.status.coinsLoaded(),
      total_coins: progress.total,
      successful_coins: progress.done - progress.failed,
      failed_coins: progress.failed,
      load_progress: { ...progress, last_update: progress.lastUpdate ? isoLocal(progress.lastUpdate) : null },
      bots: { total: bots.total, active: bots.active },
    };
  }
}
