/**
 * A survey of each kind of question (single, multiple, number, optional free text), for
 * the tests of the chat's survey flow and of the push.
 */
import type { Question } from '../../src/surveys/questions.js';

export const QUESTIONS: Question[] = [
  {
    type: 'single',
    required: true,
    zh: '您家最需要哪项服务？',
    en: 'Which service does your household need most?',
    options: [
      { zh: '养老', en: 'Elderly care' },
      { zh: '医疗', en: 'Health' },
      { zh: '就业', en: 'Jobs' },
    ],
  },
  {
    type: 'multiple',
    required: true,
    zh: '哪些设施需要改善？',
    en: '',
    options: [
      { zh: '路灯', en: '' },
      { zh: '道路', en: '' },
      { zh: '垃圾清运', en: '' },
    ],
  },
  { type: 'number', required: true, zh: '家里常住几口人？', en: '', options: [] },
  { type: 'text', required: false, zh: '还有什么建议？', en: '', options: [] },
];
