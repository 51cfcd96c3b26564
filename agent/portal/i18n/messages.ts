// Every string the portal shows, per language. Venue texts (welcome title/body, success body) can
// be overridden per language in the portal config's `theme.texts`.
import type { FormErrorKey } from "../form/login-form.ts";

export interface Messages {
  lang: string;
  welcomeTitle: string;
  welcomeBody: string;
  start: string;
  formTitle: string;
  formIntro: string;
  errorSummary: string;
  email: string;
  emailHint: string;
  name: string;
  phone: string;
  phoneHint: string;
  optional: string;
  termsLegend: string;
  termsAccept: string;
  termsLink: string;
  consentLegend: string;
  consentIntro: string;
  consentMarketing: string;
  consentMarketingPurpose: string;
  consentAnalytics: string;
  consentAnalyticsPurpose: string;
  consentAdvertising: string;
  consentAdvertisingPurpose: string;
  submit: string;
  reconnectTitle: string;
  reconnectBody: string;
  reconnectButton: string;
  notYou: string;
  handoffTitle: string;
  handoffBody: string;
  handoffButton: string;
  successTitle: string;
  successBody: string;
  continueTo: string;
  logout: string;
  errorTitle: string;
  badArrival: string;
  expiredForm: string;
  tooMany: string;
  grantFailed: string;
  tryAgain: string;
  notRecognised: string;
  errors: Record<FormErrorKey, string>;
}
