/**
 * The taxonomy of the replay's generated jobs: MCF's filter values (display
 * names, as the API takes them), and the words jobs are made of. The filter
 * lists are also what the replay accepts: any other value is a 400, as on MCF.
 */

export const CATEGORIES = [
  'Accounting / Auditing / Taxation',
  'Admin / Secretarial',
  'Banking and Finance',
  'Building and Construction',
  'Consulting',
  'Customer Service',
  'Education and Training',
  'Engineering',
  'F&B',
  'Healthcare / Pharmaceutical',
  'Human Resources',
  'Information Technology',
  'Logistics / Supply Chain',
  'Marketing / Public Relations',
  'Sales / Retail',
] as const;

export const EMPLOYMENT_TYPES = [
  'Permanent',
  'Full Time',
  'Part Time',
  'Contract',
  'Temporary',
  'Freelance',
  'Internship/Attachment',
  'Flexi work',
] as const;

export const POSITION_LEVELS = [
  'Fresh/entry level',
  'Non-executive',
  'Junior Executive',
  'Executive',
  'Senior Executive',
  'Professional',
  'Manager',
  'Middle Management',
  'Senior Management',
] as const;

/** MCF's flexible work arrangements, by id (1-6), labelled as MCF labels them. */
export const FLEXIBLE_WORK_ARRANGEMENTS = [
  'Flexi-Hours',
  'Telecommuting',
  'Creative Scheduling',
  'Staggered Hours',
  'Part-Time Work',
  'Job Sharing',
] as const;

export const POSTING_COMPANY = ['Direct', 'Third Party'] as const;

/** `sortBy` values the listing endpoints accept. */
export const SORT_BY = ['new_posting_date', 'min_monthly_salary'] as const;

export interface CategoryProfile {
  roles: string[];
  skills: string[];
  /** Typical monthly salary floor and ceiling, SGD. */
  salary: [number, number];
  ssoc: string;
}

export const PROFILES: Record<(typeof CATEGORIES)[number], CategoryProfile> = {
  'Accounting / Auditing / Taxation': {
    roles: [
      'Accountant',
      'Audit Associate',
      'Tax Manager',
      'Accounts Executive',
      'Financial Controller',
    ],
    skills: [
      'Accounting',
      'Audit',
      'IFRS',
      'Taxation',
      'Xero',
      'SAP FI',
      'Month-end Closing',
      'GST',
    ],
    salary: [2800, 12000],
    ssoc: '24111',
  },
  'Admin / Secretarial': {
    roles: ['Admin Assistant', 'Executive Assistant', 'Office Manager', 'Receptionist'],
    skills: ['Microsoft Office', 'Scheduling', 'Data Entry', 'Filing', 'Customer Service'],
    salary: [2000, 5500],
    ssoc: '41101',
  },
  'Banking and Finance': {
    roles: [
      'Relationship Manager',
      'Credit Analyst',
      'Risk Analyst',
      'Quantitative Analyst',
      'Compliance Officer',
    ],
    skills: [
      'Credit Risk',
      'AML',
      'KYC',
      'Financial Modelling',
      'Bloomberg',
      'Basel III',
      'Python',
    ],
    salary: [3500, 16000],
    ssoc: '24131',
  },
  'Building and Construction': {
    roles: [
      'Site Engineer',
      'Quantity Surveyor',
      'Project Manager',
      'Safety Coordinator',
      'Draftsman',
    ],
    skills: ['AutoCAD', 'Revit', 'Workplace Safety', 'Project Management', 'BIM', 'Tendering'],
    salary: [2500, 9000],
    ssoc: '21421',
  },
  Consulting: {
    roles: ['Management Consultant', 'Business Analyst', 'Strategy Associate'],
    skills: ['Stakeholder Management', 'PowerPoint', 'Business Analysis', 'Change Management'],
    salary: [4500, 15000],
    ssoc: '24219',
  },
  'Customer Service': {
    roles: ['Customer Service Officer', 'Call Centre Agent', 'Client Services Executive'],
    skills: ['Customer Service', 'CRM', 'Complaint Handling', 'Salesforce', 'Communication'],
    salary: [2000, 4500],
    ssoc: '42221',
  },
  'Education and Training': {
    roles: ['Preschool Teacher', 'Tutor', 'Lecturer', 'Corporate Trainer'],
    skills: ['Curriculum Development', 'Classroom Management', 'Early Childhood', 'Coaching'],
    salary: [2500, 8000],
    ssoc: '23100',
  },
  Engineering: {
    roles: [
      'Mechanical Engineer',
      'Electrical Engineer',
      'Process Engineer',
      'Maintenance Technician',
    ],
    skills: [
      'AutoCAD',
      'PLC',
      'Preventive Maintenance',
      'Lean Manufacturing',
      'SolidWorks',
      'Six Sigma',
    ],
    salary: [2800, 9500],
    ssoc: '21441',
  },
  'F&B': {
    roles: ['Chef de Partie', 'Restaurant Manager', 'Barista', 'Service Crew'],
    skills: ['Food Safety', 'Food Preparation', 'Inventory Management', 'Customer Service'],
    salary: [1800, 5500],
    ssoc: '34341',
  },
  'Healthcare / Pharmaceutical': {
    roles: ['Staff Nurse', 'Pharmacist', 'Clinical Research Associate', 'Physiotherapist'],
    skills: [
      'Patient Care',
      'GCP',
      'Clinical Trials',
      'Pharmacy',
      'BCLS',
      'Medication Administration',
    ],
    salary: [2800, 9000],
    ssoc: '22200',
  },
  'Human Resources': {
    roles: [
      'HR Executive',
      'Talent Acquisition Partner',
      'HR Business Partner',
      'Payroll Specialist',
    ],
    skills: [
      'Recruitment',
      'Payroll',
      'Employee Relations',
      'Workday',
      'Compensation and Benefits',
    ],
    salary: [3000, 11000],
    ssoc: '24231',
  },
  'Information Technology': {
    roles: [
      'Software Engineer',
      'Data Engineer',
      'Data Scientist',
      'DevOps Engineer',
      'Cloud Architect',
      'Frontend Developer',
      'Backend Developer',
      'Site Reliability Engineer',
      'Machine Learning Engineer',
      'IT Support Engineer',
      'Cybersecurity Analyst',
      'Platform Engineer',
    ],
    skills: [
      'Python',
      'Java',
      'TypeScript',
      'SQL',
      'AWS',
      'Kubernetes',
      'Terraform',
      'Spark',
      'Airflow',
      'Docker',
      'React',
      'Go',
      'Kafka',
      'dbt',
      'Machine Learning',
      'Linux',
      'CI/CD',
      'PostgreSQL',
    ],
    salary: [3500, 16000],
    ssoc: '25121',
  },
  'Logistics / Supply Chain': {
    roles: [
      'Logistics Coordinator',
      'Warehouse Supervisor',
      'Procurement Executive',
      'Supply Chain Analyst',
    ],
    skills: ['Inventory Management', 'SAP MM', 'Procurement', 'Forklift', 'Demand Planning'],
    salary: [2200, 8000],
    ssoc: '43231',
  },
  'Marketing / Public Relations': {
    roles: ['Digital Marketing Executive', 'Brand Manager', 'Content Strategist', 'PR Manager'],
    skills: ['SEO', 'Google Analytics', 'Content Marketing', 'Social Media', 'Copywriting'],
    salary: [3000, 11000],
    ssoc: '24311',
  },
  'Sales / Retail': {
    roles: [
      'Sales Executive',
      'Retail Assistant',
      'Account Manager',
      'Business Development Manager',
    ],
    skills: ['B2B Sales', 'Negotiation', 'Retail', 'Salesforce', 'Lead Generation'],
    salary: [2000, 10000],
    ssoc: '33221',
  },
};

export const SENIORITY: Array<{
  prefix: string;
  level: (typeof POSITION_LEVELS)[number];
  years: number;
  pay: number;
}> = [
  { prefix: '', level: 'Executive', years: 2, pay: 1 },
  { prefix: 'Junior ', level: 'Junior Executive', years: 0, pay: 0.75 },
  { prefix: 'Senior ', level: 'Senior Executive', years: 5, pay: 1.35 },
  { prefix: 'Lead ', level: 'Professional', years: 8, pay: 1.7 },
  { prefix: 'Principal ', level: 'Middle Management', years: 10, pay: 2 },
  { prefix: 'Assistant ', level: 'Non-executive', years: 1, pay: 0.7 },
  { prefix: 'Graduate ', level: 'Fresh/entry level', years: 0, pay: 0.65 },
];

export const GENERIC_SKILLS = [
  'Communication Skills',
  'Teamwork',
  'Problem Solving',
  'Microsoft Excel',
  'Time Management',
  'Leadership',
];

/** Address districts as MCF labels them ("D01 Marina"); `ISLANDWIDE` stands alone as a location. */
export const DISTRICTS: Array<{ id: number; location: string; region: string }> = [
  { id: 1, location: 'D01 Marina', region: 'Central' },
  { id: 2, location: 'D02 Tanjong Pagar', region: 'Central' },
  { id: 9, location: 'D09 Orchard', region: 'Central' },
  { id: 14, location: 'D14 Geylang', region: 'East' },
  { id: 18, location: 'D18 Tampines', region: 'East' },
  { id: 22, location: 'D22 Jurong', region: 'West' },
  { id: 5, location: 'D05 Clementi', region: 'West' },
  { id: 25, location: 'D25 Woodlands', region: 'North' },
  { id: 27, location: 'D27 Yishun', region: 'North' },
  { id: 19, location: 'D19 Hougang', region: 'North-East' },
  { id: 12, location: 'D12 Toa Payoh', region: 'Central' },
];

/** The district of jobs done anywhere in Singapore (no street address). */
export const ISLANDWIDE = { id: 998, location: 'Islandwide', region: 'Islandwide' };

/** Schemes a job can be under, as MCF nests them: `{scheme: {id, scheme}, subScheme}`. */
export const SCHEMES: Array<{ id: number; scheme: string; subSchemes: string[] }> = [
  {
    id: 1,
    scheme: 'Career Conversion Programme',
    subSchemes: ['Place-and-Train', 'Attach-and-Train'],
  },
  { id: 2, scheme: 'SGUnited Jobs and Skills', subSchemes: [] },
  { id: 5, scheme: 'P-Max', subSchemes: [] },
];

/** Overseas postings: the country and two foreign address lines. */
export const OVERSEAS: Array<{ country: string; line1: string; line2: string }> = [
  { country: 'Malaysia', line1: 'Menara Binjai, 2 Jalan Binjai', line2: '50450 Kuala Lumpur' },
  { country: 'Indonesia', line1: 'Jl. Jend. Sudirman Kav. 52-53', line2: 'Jakarta 12190' },
  { country: 'Viet Nam', line1: '2 Ngo Duc Ke, District 1', line2: 'Ho Chi Minh City' },
];

/** otherRequirements as employers write it: plain text, sometimes on several lines. */
export const OTHER_REQUIREMENTS = [
  'Willing to work on weekends when required.',
  'Must be able to travel to Malaysia and Indonesia.\nValid driving licence (Class 3) preferred.',
  'Singaporeans and PRs only.',
];

/** workingHours as text. */
export const WORKING_HOURS = ['Mon - Fri, 9am - 6pm', '5 days, 44 hours', '5.5 days work week'];

export const STREETS = [
  'Raffles Place',
  'Marina Boulevard',
  'Tampines Avenue 5',
  'Jurong West Street 42',
  'Ang Mo Kio Industrial Park 2',
  'Science Park Road',
  'Changi Business Park Crescent',
  'Ubi Avenue 1',
  'Kallang Way',
  'One-North Crescent',
  'Woodlands Loop',
  'Orchard Road',
];

export const BUILDINGS = [
  'One Raffles Place',
  'Marina Bay Financial Centre',
  'Tampines Grande',
  'The Galen',
  'Fusionopolis',
  null,
  'Ubi Techpark',
  null,
  'Mapletree Business City',
];

export const COMPANY_WORDS = {
  first: [
    'Lion',
    'Merlion',
    'Harbour',
    'Straits',
    'Orchid',
    'Equator',
    'Summit',
    'Kallang',
    'Temasek',
    'Blue',
    'Pioneer',
    'Tanjong',
  ],
  second: [
    'Digital',
    'Analytics',
    'Logistics',
    'Health',
    'Capital',
    'Engineering',
    'Foods',
    'Learning',
    'Systems',
    'Labs',
    'Holdings',
    'Solutions',
  ],
};

export const AGENCIES = [
  'Talentbridge Recruitment',
  'Peoplefirst Staffing',
  'Kelvin Search Partners',
  'Apex Resourcing',
];

export const RESPONSIBILITIES = [
  'Design, build and maintain reliable systems that serve thousands of users every day',
  'Work closely with product owners & stakeholders to turn requirements into working software',
  'Own the quality of your deliverables, from code review to monitoring in production',
  'Prepare monthly reports and present findings to management',
  'Coordinate with vendors, contractors and internal teams to meet deadlines',
  'Improve existing processes and automate repetitive work',
  'Mentor junior team members and share knowledge across the team',
  'Ensure compliance with company policies and regulatory requirements',
  'Handle enquiries from customers via phone, e-mail and walk-ins',
  'Support ad-hoc projects as assigned by the reporting manager',
];

export const REQUIREMENTS = [
  'Degree or Diploma in a relevant discipline',
  'At least {years} year(s) of relevant working experience',
  'Good command of written and spoken English',
  'Able to work independently and as part of a team',
  'Strong analytical and problem-solving skills',
  'Singaporeans and PRs only; shortlisted candidates will be notified',
  'Able to start work immediately or within short notice',
  'Familiarity with {skill} is an advantage',
];
