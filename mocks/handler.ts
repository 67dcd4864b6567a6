export * from './core/app.js';
