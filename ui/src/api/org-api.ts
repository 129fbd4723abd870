import type { ApiClient } from './client';
import { ApiError } from './problem';
import type { OrgPolicy, Organization, PutSsoRequest, SignalSettings, SsoSettings } from './types';

/** Sign-in settings as the page knows them: unavailable to a caller without org:admin (403). */
export type SignInSettings = { state: 'unavailable' } | { state: 'off' } | { state: 'on'; settings: SsoSettings };

/** /api/v1/organizations/current and its sign-in settings. */
export const orgApi = {
  get: (api: ApiClient) => api.get<Organization>('/organizations/current'),
  updatePolicy: (api: ApiClient, patch: Partial<OrgPolicy>) => api.patch<Organization>('/organizations/current', patch),
  async signIn(api: ApiClient): Promise<SignInSettings> {
    try {
      return { state: 'on', settings: await api.get<SsoSettings>('/organizations/current/sso') };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 403) return { state: 'unavailable' };
      // 404: this organization has no sign-in settings.
      if (error.status === 404) return { state: 'off' };
      throw error;
    }
  },
  putSignIn: (api: ApiClient, body: PutSsoRequest) => api.put<SsoSettings>('/organizations/current/sso', body),
  deleteSignIn: (api: ApiClient) => api.delete<void>('/organizations/current/sso'),
  signals: (api: ApiClient) => api.get<SignalSettings>('/organizations/current/signals'),
  putSignals: (api: ApiClient, body: SignalSettings) => api.put<SignalSettings>('/organizations/current/signals', body),
};
