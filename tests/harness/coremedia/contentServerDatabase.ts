// The simulated CoreMedia content-server database lives in the product (the sandbox generates
// its master with it); tests keep importing it from here.
export * from '../../../src/main/core/coremedia/contentServerDatabase';
