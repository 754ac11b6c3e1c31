// The labelled set of `npm run eval`: resumes written as JSON Resume records
// (https://jsonresume.org/schema), the ground truth each rendered file is
// scored against. Every person, employer and address here is invented.
// `style` varies what real resumes vary: date formats, headings, the name
// line glued to the title, letter-spaced names, phone formats.

export interface EvalRecord {
  id: string
  basics: {
    name: string
    label: string
    email: string
    phone: string
    location: string
    profiles: string[]
  }
  work: Array<{ name: string; position: string; startDate: string; endDate: string | null; summary: string }>
  /** Volunteer roles and memberships: read, but not work experience. */
  volunteer: Array<{ organization: string; position: string; startDate: string; endDate: string | null }>
  education: Array<{ institution: string; studyType: string; area: string; startDate: string; endDate: string }>
  skills: string[]
  languages: string[]
  certificates: string[]
  style: {
    dates: 'mon-yyyy' | 'mm/yyyy' | 'yyyy' | 'mm/yy-now' | 'dotted'
    headings: 'title' | 'upper' | 'spaced'
    /** The name and the title on one line, as some PDF extractions glue them. */
    glued?: boolean
    letterSpacedName?: boolean
  }
}

export const EVAL_RECORDS: EvalRecord[] = [
  {
    id: 'amara-okafor',
    basics: {
      name: 'Amara Okafor',
      label: 'Senior Backend Engineer',
      email: 'amara.okafor@example.com',
      phone: '+44 20 7946 0321',
      location: 'Manchester, UK',
      profiles: ['https://www.linkedin.com/in/amara-okafor', 'https://github.com/amaraokafor'],
    },
    work: [
      {
        name: 'Northwind Payments',
        position: 'Senior Backend Engineer',
        startDate: '2020-03',
        endDate: null,
        summary: 'Runs the ledger services in Go and PostgreSQL on Kubernetes.',
      },
      {
        name: 'Contoso Retail',
        position: 'Software Engineer',
        startDate: '2016-09',
        endDate: '2020-02',
        summary: 'Built order APIs in Java and Spring Boot with MySQL.',
      },
    ],
    volunteer: [{ organization: 'Code Club Manchester', position: 'Volunteer Mentor', startDate: '2018-01', endDate: null }],
    education: [
      { institution: 'University of Leeds', studyType: 'BSc', area: 'Computer Science', startDate: '2012-09', endDate: '2016-06' },
    ],
    skills: ['Go', 'Java', 'PostgreSQL', 'MySQL', 'Kubernetes', 'Spring Boot'],
    languages: ['English', 'Igbo'],
    certificates: ['Certified Kubernetes Administrator (CKA)'],
    style: { dates: 'mon-yyyy', headings: 'upper' },
  },
  {
    id: 'lukas-brenner',
    basics: {
      name: 'Lukas Brenner',
      label: 'Data Engineer',
      email: 'l.brenner@example.org',
      phone: '+49 30 901820',
      location: 'Berlin, Germany',
      profiles: ['https://github.com/lbrenner'],
    },
    work: [
      {
        name: 'Fabrikam Analytics',
        position: 'Data Engineer',
        startDate: '2019-04',
        endDate: null,
        summary: 'Owns Airflow pipelines in Python and Spark on AWS.',
      },
      {
        name: 'Tailspin Mobility',
        position: 'BI Developer',
        startDate: '2017-01',
        endDate: '2019-03',
        summary: 'Reported with SQL Server and Power BI.',
      },
    ],
    volunteer: [],
    education: [
      {
        institution: 'Technische Universität Berlin',
        studyType: 'MSc',
        area: 'Information Systems',
        startDate: '2014-10',
        endDate: '2016-12',
      },
    ],
    skills: ['Python', 'Apache Spark', 'Airflow', 'AWS', 'SQL Server', 'Power BI'],
    languages: ['German', 'English'],
    certificates: ['AWS Certified Data Analytics - Specialty'],
    style: { dates: 'dotted', headings: 'title' },
  },
  {
    id: 'priya-raman',
    basics: {
      name: 'Priya Raman',
      label: 'Frontend Developer',
      email: 'priya.raman@example.net',
      phone: '+91 98450 12345',
      location: 'Bengaluru, India',
      profiles: ['https://www.linkedin.com/in/priyaraman', 'https://priyaraman.dev'],
    },
    work: [
      {
        name: 'Litware Labs',
        position: 'Frontend Developer',
        startDate: '2021-06',
        endDate: null,
        summary: 'Builds the design system in React and TypeScript.',
      },
      {
        name: 'Adatum Software',
        position: 'UI Engineer',
        startDate: '2018-07',
        endDate: '2021-05',
        summary: 'Moved a jQuery app to Vue.js.',
      },
    ],
    volunteer: [{ organization: 'Women Who Code', position: 'Member', startDate: '2019-01', endDate: null }],
    education: [
      { institution: 'Anna University', studyType: 'B.Tech', area: 'Information Technology', startDate: '2014-08', endDate: '2018-05' },
    ],
    skills: ['React', 'TypeScript', 'Vue.js', 'CSS', 'Jest'],
    languages: ['English', 'Tamil', 'Hindi'],
    certificates: [],
    style: { dates: 'mm/yyyy', headings: 'upper', glued: true },
  },
  {
    id: 'jared-whitfield',
    basics: {
      name: 'Jared Whitfield',
      label: 'DevOps Engineer',
      email: 'jared.whitfield@example.com',
      phone: '(555) 014-2298',
      location: 'Austin, TX',
      profiles: ['https://github.com/jwhitfield'],
    },
    work: [
      {
        name: 'Woodgrove Bank',
        position: 'DevOps Engineer',
        startDate: '2017-05',
        endDate: null,
        summary: 'Runs Terraform and Ansible for 300 services on Azure.',
      },
      {
        name: 'Proseware Inc',
        position: 'Systems Administrator',
        startDate: '2013-02',
        endDate: '2017-04',
        summary: 'Linux, Bash and Nagios.',
      },
    ],
    volunteer: [],
    education: [
      {
        institution: 'Texas State University',
        studyType: 'BS',
        area: 'Computer Information Systems',
        startDate: '2009-08',
        endDate: '2013-05',
      },
    ],
    skills: ['Terraform', 'Ansible', 'Azure', 'Linux', 'Bash'],
    languages: ['English'],
    certificates: ['HashiCorp Certified: Terraform Associate'],
    style: { dates: 'mon-yyyy', headings: 'spaced', letterSpacedName: true },
  },
  {
    id: 'sofia-marquez',
    basics: {
      name: 'Sofía Márquez',
      label: 'Machine Learning Engineer',
      email: 'sofia.marquez@example.es',
      phone: '+34 612 345 678',
      location: 'Madrid, Spain',
      profiles: ['https://www.linkedin.com/in/sofia-marquez-ml', 'https://github.com/smarquez'],
    },
    work: [
      {
        name: 'Relecloud',
        position: 'Machine Learning Engineer',
        startDate: '2020-01',
        endDate: null,
        summary: 'Trains ranking models with PyTorch; serves them with FastAPI.',
      },
      {
        name: 'Universidad Politécnica de Madrid',
        position: 'Research Assistant',
        startDate: '2017-09',
        endDate: '2019-12',
        summary: 'Computer vision research in Python.',
      },
    ],
    volunteer: [],
    education: [
      {
        institution: 'Universidad Politécnica de Madrid',
        studyType: 'MSc',
        area: 'Artificial Intelligence',
        startDate: '2016-09',
        endDate: '2018-07',
      },
      { institution: 'Universidad de Sevilla', studyType: 'BSc', area: 'Mathematics', startDate: '2012-09', endDate: '2016-06' },
    ],
    skills: ['Python', 'PyTorch', 'FastAPI', 'Docker', 'SQL'],
    languages: ['Spanish', 'English', 'French'],
    certificates: [],
    style: { dates: 'mm/yy-now', headings: 'title' },
  },
  {
    id: 'chen-wei',
    basics: {
      name: 'Chen Wei',
      label: 'Mobile Developer',
      email: 'chen.wei@example.cn',
      phone: '+86 138 0013 8000',
      location: 'Shanghai, China',
      profiles: ['https://github.com/chenwei-mobile'],
    },
    work: [
      {
        name: 'Blue Yonder Apps',
        position: 'iOS Developer',
        startDate: '2019-08',
        endDate: null,
        summary: 'Ships the shopping app in Swift and SwiftUI.',
      },
      {
        name: 'Lucerne Publishing',
        position: 'Android Developer',
        startDate: '2016-03',
        endDate: '2019-07',
        summary: 'Kotlin and Java apps for 2 million readers.',
      },
    ],
    volunteer: [],
    education: [
      { institution: 'Fudan University', studyType: 'BEng', area: 'Software Engineering', startDate: '2012-09', endDate: '2016-07' },
    ],
    skills: ['Swift', 'SwiftUI', 'Kotlin', 'Java', 'Firebase'],
    languages: ['Mandarin', 'English'],
    certificates: [],
    style: { dates: 'yyyy', headings: 'upper' },
  },
  {
    id: 'fatima-haddad',
    basics: {
      name: 'Fatima Haddad',
      label: 'Security Engineer',
      email: 'fatima.haddad@example.com',
      phone: '+33 6 12 34 56 78',
      location: 'Lyon, France',
      profiles: ['https://www.linkedin.com/in/fatimahaddad'],
    },
    work: [
      {
        name: 'Margie Travel',
        position: 'Security Engineer',
        startDate: '2018-11',
        endDate: null,
        summary: 'Threat modelling, Burp Suite and SIEM rules in Splunk.',
      },
      {
        name: 'Coho Winery',
        position: 'Network Administrator',
        startDate: '2015-06',
        endDate: '2018-10',
        summary: 'Cisco networks and firewalls.',
      },
    ],
    volunteer: [{ organization: 'OWASP Lyon Chapter', position: 'Chapter Leader', startDate: '2019-05', endDate: null }],
    education: [
      { institution: 'INSA Lyon', studyType: 'Diplôme d’ingénieur', area: 'Telecommunications', startDate: '2010-09', endDate: '2015-06' },
    ],
    skills: ['Splunk', 'Burp Suite', 'Python', 'Cisco', 'Linux'],
    languages: ['French', 'Arabic', 'English'],
    certificates: ['CISSP', 'OSCP'],
    style: { dates: 'mm/yyyy', headings: 'upper' },
  },
  {
    id: 'oliver-grant',
    basics: {
      name: 'Oliver Grant',
      label: 'Full Stack Developer',
      email: 'oliver.grant@example.co.uk',
      phone: '07700 900123',
      location: 'Bristol, UK',
      profiles: ['https://github.com/olivergrant', 'https://olivergrant.co.uk'],
    },
    work: [
      {
        name: 'Alpine Ski House',
        position: 'Full Stack Developer',
        startDate: '2022-02',
        endDate: null,
        summary: 'Node.js, Express and React with MongoDB.',
      },
      {
        name: 'Wide World Importers',
        position: 'Junior Developer',
        startDate: '2020-09',
        endDate: '2022-01',
        summary: 'PHP and Laravel with MySQL.',
      },
    ],
    volunteer: [],
    education: [
      { institution: 'University of Bristol', studyType: 'BSc', area: 'Computer Science', startDate: '2017-09', endDate: '2020-06' },
    ],
    skills: ['Node.js', 'Express', 'React', 'MongoDB', 'PHP', 'Laravel', 'MySQL'],
    languages: ['English'],
    certificates: [],
    style: { dates: 'mon-yyyy', headings: 'title', glued: true },
  },
  {
    id: 'hana-sato',
    basics: {
      name: 'Hana Sato',
      label: 'QA Automation Engineer',
      email: 'hana.sato@example.jp',
      phone: '+81 90-1234-5678',
      location: 'Osaka, Japan',
      profiles: ['https://www.linkedin.com/in/hana-sato-qa'],
    },
    work: [
      {
        name: 'Trey Research',
        position: 'QA Automation Engineer',
        startDate: '2019-10',
        endDate: null,
        summary: 'Playwright and Cypress suites in TypeScript; Jenkins pipelines.',
      },
      { name: 'The Phone Company', position: 'Test Engineer', startDate: '2016-04', endDate: '2019-09', summary: 'Selenium with Java.' },
    ],
    volunteer: [],
    education: [{ institution: 'Osaka University', studyType: 'BEng', area: 'Electronics', startDate: '2012-04', endDate: '2016-03' }],
    skills: ['Playwright', 'Cypress', 'TypeScript', 'Selenium', 'Jenkins'],
    languages: ['Japanese', 'English'],
    certificates: ['ISTQB Certified Tester Foundation Level'],
    style: { dates: 'dotted', headings: 'spaced' },
  },
  {
    id: 'kwame-mensah',
    basics: {
      name: 'Kwame Mensah',
      label: 'Cloud Architect',
      email: 'kwame.mensah@example.com',
      phone: '+233 24 123 4567',
      location: 'Accra, Ghana',
      profiles: ['https://www.linkedin.com/in/kwamemensah', 'https://github.com/kmensah'],
    },
    work: [
      {
        name: 'Graphic Design Institute',
        position: 'Cloud Architect',
        startDate: '2021-01',
        endDate: null,
        summary: 'Designs landing zones on AWS with CDK and Terraform.',
      },
      {
        name: 'First Up Consultants',
        position: 'Cloud Engineer',
        startDate: '2017-06',
        endDate: '2020-12',
        summary: 'Migrated workloads to AWS; Lambda and DynamoDB.',
      },
      {
        name: 'Southridge Video',
        position: 'Systems Engineer',
        startDate: '2014-01',
        endDate: '2017-05',
        summary: 'VMware and Windows Server.',
      },
    ],
    volunteer: [],
    education: [
      {
        institution: 'Kwame Nkrumah University of Science and Technology',
        studyType: 'BSc',
        area: 'Computer Engineering',
        startDate: '2009-09',
        endDate: '2013-07',
      },
    ],
    skills: ['AWS', 'AWS CDK', 'Terraform', 'AWS Lambda', 'DynamoDB', 'VMware'],
    languages: ['English', 'Twi'],
    certificates: ['AWS Certified Solutions Architect - Professional'],
    style: { dates: 'yyyy', headings: 'title' },
  },
]
