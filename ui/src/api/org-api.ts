import type { ApiClient } from './client';
import { ApiError } from './problem';
import type { OrgPolicy, Organization, PutSsoRequest, SsoSettings } from './types';

/** Sign-in settings as the page knows them: this server may not offer sign-in at all yet. */
export type SignInSettings = { state: 'unavailable' } | { state: 'off' } | { state: 'on'; settings: SsoSettings };

/** The 404 keyscope answers for a route it does not have, as opposed to "not configured". */
function isMissingEndpoint(error: ApiError): boolean {
  return error.status === 404 && error.detail.startsWith('No API endpoint');
}

/** /api/v1/organizations/current and its sign-in settings. */
export const orgApi = {
  get: (api: ApiClient) => api.get<Organization>('/organizations/current'),
  updatePolicy: (api: ApiClient, patch: Partial<OrgPolicy>) => api.patch<Organization>('/organizations/current', patch),
  async signIn(api: ApiClient): Promise<SignInSettings> {
    try {
      return { state: 'on', settings: await api.get<SsoSettings>('/organizations/current/sso') };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (isMissingEndpoint(error) || error.status === 403) return { state: 'unavailable' };
      if (error.status === 404) return { state: 'off' };
      throw error;
    }
  },
  putSignIn: (api: ApiClient, body: PutSsoRequest) => api.put<SsoSettings>('/organizations/current/sso', body),
  deleteSignIn: (api: ApiClient) => api.delete<void>('/organizations/current/sso'),
};
