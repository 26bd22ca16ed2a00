import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AdminGuard, IdentityGuard, IdentityResolver } from './identity';

/** Who is calling (gateway headers, JWT, admin token, anonymous session), for every controller. */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [IdentityResolver, IdentityGuard, AdminGuard],
  exports: [IdentityResolver, IdentityGuard, AdminGuard],
})
export class IdentityModule {}
