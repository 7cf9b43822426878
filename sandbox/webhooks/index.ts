/** Provider-style webhook signing for tests and sandboxes (the inverse of src/inbound/verify). */

export { type DeliveryInput, incomingDelivery } from './delivery.ts';
export { checkPaypalVerifyRequest, paypalSandboxSignature, paypalVerifyAnswer } from './paypal.ts';
export { type ProviderApiStandIn, providerApiStandIn } from './provider-api.ts';
export type { ReceivedRequest, SigningRecipe } from './recipe.ts';
export { ecdsaP256KeyPair, type SampleSecret, sampleSecret } from './secrets.ts';
export { deliveryUrl, type SignOptions, signDelivery } from './sign.ts';
