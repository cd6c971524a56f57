// The course's settings for nbconvert-ts (found by its command line in the project root).
import { courseNbconvertConfig } from './tools/course-notebooks';

export default courseNbconvertConfig();
