import { RequestMapping, RequestMethod } from '@nestjs/common';
import type { Route as SharedRoute } from '@konferenz/shared';

/**
 * Maps a handler to one entry of the shared route list (`ROUTES` in @konferenz/shared), method and
 * path together, so a controller cannot answer on a path the client does not call. Its controller
 * is declared with `@Controller()` and no path: the entry's path is the whole URL.
 */
export const Route = (route: SharedRoute<unknown, unknown>): MethodDecorator => RequestMapping({ method: RequestMethod[route.method], path: route.path });
