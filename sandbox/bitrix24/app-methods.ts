/** Methods for a connection check: profile, user.current, app.info, scope, server.time. */
import { formatDateTime } from './bitrix-time';
import type { CallContext, MethodTable } from './method-types';
import { validationError } from './rest-errors';

function currentUser(ctx: CallContext) {
  const user = ctx.portal.user(ctx.userId);
  if (!user) throw validationError('User is not found or is not active');
  return user;
}

export const appMethods: MethodTable = {
  profile: {
    run(_params, ctx) {
      const user = currentUser(ctx);
      return {
        result: {
          ID: String(user.id),
          ADMIN: user.admin,
          NAME: user.name,
          LAST_NAME: user.lastName,
          PERSONAL_GENDER: '',
          PERSONAL_PHOTO: '',
          TIME_ZONE: '',
          TIME_ZONE_OFFSET: 0,
        },
      };
    },
  },
  'user.current': {
    scope: 'user|user_basic|user_brief',
    run(_params, ctx) {
      const user = currentUser(ctx);
      return {
        result: {
          ID: String(user.id),
          XML_ID: null,
          ACTIVE: true,
          NAME: user.name,
          LAST_NAME: user.lastName,
          SECOND_NAME: '',
          EMAIL: user.email,
          IS_ONLINE: 'N',
          TIME_ZONE_OFFSET: '0',
          USER_TYPE: 'employee',
          UF_DEPARTMENT: [1],
        },
      };
    },
  },
  'app.info': {
    appOnly: true,
    run(_params, ctx) {
      return {
        result: {
          ID: '1',
          CODE: ctx.app.clientId,
          VERSION: 1,
          STATUS: ctx.app.status,
          INSTALLED: true,
          PAYMENT_EXPIRED: 'N',
          DAYS: null,
          LANGUAGE_ID: 'en',
          LICENSE: 'en_project',
          LICENSE_TYPE: 'project',
          LICENSE_FAMILY: 'project',
        },
      };
    },
  },
  scope: {
    run(_params, ctx) {
      return { result: [...ctx.scope] };
    },
  },
  'server.time': {
    run(_params, ctx) {
      return { result: formatDateTime(ctx.now) };
    },
  },
};
