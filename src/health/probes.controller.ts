import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';
import { ProbeResponseDto } from './dto/status-responses.dto';

/**
 * Probes for Docker, Kubernetes and load balancers (terminus); the contract's /health answers stay in StatusController.
 */
@ApiTags('health')
@Controller('health')
export class ProbesController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs and answers HTTP' })
  @ApiOkResponse({ type: ProbeResponseDto })
  async live(): Promise<ProbeResponseDto> {
    const result = await this.health.check([
      () =>
        this.indicators
          .check('process')
          .up({ pid: process.pid, uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000) }),
    ]);
    return { success: true, status: result.status, details: result.details };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 once stored state is loaded and the exchange is initialised, else 503' })
  @ApiResponse({ status: 503, description: 'Not ready; `error` says why', type: ProbeResponseDto })
  @ApiOkResponse({ type: ProbeResponseDto })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ProbeResponseDto> {
    const state = this.readiness.check();
    try {
      const result = await this.health.check([
        () => {
          const session = this.indicators.check('state');
          return state.checks.state_loaded && !state.checks.shutting_down
            ? session.up()
            : session.down({ shutting_down: state.checks.shutting_down });
        },
        () => {
          const session = this.indicators.check('exchange');
          return state.checks.exchange_ready ? session.up() : session.down();
        },
        () => {
          const session = this.indicators.check('storage');
          return state.checks.storage_writable ? session.up() : session.down();
        },
      ]);
      return { success: true, status: result.status, details: result.details };
    } catch (error) {
      // Answered here, not thrown: a 503 from a probe is an expected state, not a server error to log.
      const details = (error as ServiceUnavailableException).getResponse?.() as { details?: unknown } | undefined;
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return {
        success: false,
        status: 'error',
        error: `Not ready: ${state.reason ?? 'a check failed'}`,
        details: details?.details,
      };
    }
  }
}
