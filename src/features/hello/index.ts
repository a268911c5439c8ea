export { HomePage, homeLoader } from './home-page';
