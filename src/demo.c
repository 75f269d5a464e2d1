/*
 * The demo site of an invented college, written for Gazette. A few
 * hand-written articles in English and Chinese serve as templates; each has
 * variants ({1} to {4} replaced) so that the lists have enough articles
 * to page through. Nothing here is copied from a real site.
 */
#include "buf.h"
#include "demo.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const struct demo_setting demo_settings[] = {
    {"site_name", "Chenghu College News"},
    {"logo", "/static/demo/logo.png"},
    {"timezone", "Asia/Shanghai"},
    {"ui_language", "en"},
    {"footer_address", "1 College Avenue, Chenghu New Town, Jiangsu, China"},
    {"footer_zip", "215199"},
    {"footer_hotline", "Office +86 512 0000 1000 · Admissions +86 512 0000 2000"},
    {"footer_email", "newsroom@chenghu-college.example"},
    {"footer_copyright", "© 2026 Chenghu College. All rights reserved."},
    {"footer_icp", "ICP 00000000-1"},
    {"footer_police", "Public Security Registration 00000000000001"},
    {"footer_support", "Chenghu College Information Center"},
};
const size_t demo_nsettings = sizeof demo_settings / sizeof demo_settings[0];

static const struct {
	const char *slug, *name, *parent;
	int position;
} categories[] = {
    {"news", "News", NULL, 0},
    {"campus", "Campus", "news", 0},
    {"sports", "Sports", "news", 1},
    {"research", "Research", NULL, 1},
    {"international", "International", NULL, 2},
    {"announcements", "Announcements", NULL, 3},
};

struct variant {
	const char *v[4];
};

struct tmpl {
	const char *category, *source, *title, *summary, *body;
	struct variant variants[4]; /* up to 4; v[0] NULL ends */
};

/* clang-format off */
static const struct tmpl templates[] = {
{"research", "School of Engineering", "{1} Laboratory Opens in the {2}",
 "The new {1} Laboratory gives students and researchers shared space and equipment from this term.",
 "The {1} Laboratory opened on Monday in the {2} after eighteen months of planning and "
 "refurbishment. About sixty students, staff and guests from local companies attended the short "
 "ceremony, which ended with the first open session at the benches.\n\n"
 "{3}\n\n"
 "\"We wanted a room where first-year students and doctoral researchers work side by side,\" "
 "said the laboratory's director, Professor Helen Zhou. \"Ideas travel faster when the people "
 "who have them share a table.\"\n\n"
 "The laboratory is open to all registered students on weekdays from 8:00 to 22:00. Safety "
 "training is required before first use and runs every Wednesday afternoon:\n\n"
 "- book a place through the school office;\n"
 "- bring your student card;\n"
 "- wear closed shoes.\n\n"
 "Research groups that want to reserve equipment for a project can apply to the technical "
 "manager at the start of each month.",
 {{{"Robotics and Embedded Systems", "Engineering Building",
    "![Students test a robot arm at one of the new benches](/static/demo/lab.png "
    "\"Students test a robot arm on the laboratory's opening day\")"}},
  {{"Marine Ecology", "Science Annex",
    "Four tanks fed with water from the lake let students follow plankton through the seasons."}},
  {{"Digital Humanities", "Library's third floor",
    "A scanning station and twelve workstations support projects on local archives."}},
  {{"Materials Characterisation", "East Research Park",
    "A new electron microscope is the centrepiece of the shared facility."}}}},

{"sports", "Department of Physical Education", "{1} Sports Day Brings {2} Students to the Track",
 "Relays, tug-of-war and a staff race filled the main stadium on a bright {3} day.",
 "More than {2} students took part in this year's {1} Sports Day, the largest turnout since the "
 "stadium was rebuilt. Teams from all six schools competed in thirty-two events, from the 100 "
 "metres to the team long jump.\n\n"
 "![Runners leave the blocks in the 4 x 100 metres relay](/static/demo/track.png "
 "\"The final of the mixed 4 x 100 metres relay\")\n\n"
 "The School of Engineering won the overall trophy by four points after a close finish in the "
 "mixed relay. The staff race, won for the second year running by the library team, drew the "
 "loudest cheers of the afternoon.\n\n"
 "\"Sports Day is about everyone, not only the athletes,\" said Coach Daniel Reyes, who "
 "organised the event. \"Half of today's runners had never raced before.\"\n\n"
 "Results and photographs are on the noticeboard outside the gymnasium.",
 {{{"Autumn", "1,200", "October"}},
  {{"Spring", "950", "April"}},
  {{"Freshmen", "800", "September"}}}},

{"announcements", "Student Financial Aid Office", "Applications Open for the {1} Scholarship",
 "Students can apply online until the end of the month; {2} awards are available this year.",
 "The Student Financial Aid Office invites applications for the {1} Scholarship for the coming "
 "academic year. {2} awards of up to 8,000 yuan each are available.\n\n"
 "## Who can apply\n\n"
 "{3}\n\n"
 "## How to apply\n\n"
 "1. Fill in the application form on the student portal.\n"
 "2. Upload a one-page statement describing your goals.\n"
 "3. Ask one teacher to send a short reference to the office.\n\n"
 "Applications close at 17:00 on the last working day of the month. Shortlisted students will "
 "be invited to a short interview. Questions can be sent to the office or asked at the "
 "information desk in the Student Centre.",
 {{{"Lakeview Merit", "Twenty",
    "Full-time undergraduates in their second year or above with strong academic results."}},
  {{"Green Futures", "Ten",
    "Students of any year whose course or project work deals with the environment."}},
  {{"First-Generation Student", "Fifteen",
    "Students who are the first in their family to attend university."}}}},

{"campus", "Office of Communications", "{1} Speaks on {2} at Public Lecture",
 "The evening lecture filled the Main Hall and ended with an hour of questions from students.",
 "{1} visited the college on Thursday to give this term's public lecture, \"{2}\". The Main "
 "Hall was full well before the start, and the talk was streamed to two overflow rooms.\n\n"
 "{3}\n\n"
 "After the lecture, students asked about careers, the role of universities in public debate "
 "and how to choose a first research question. \"Start with something that puzzles you,\" the "
 "speaker advised, \"and be patient with it.\"\n\n"
 "The public lecture series continues next month. All talks are free and open to the public.",
 {{{"Professor Elena Marsh", "Cities and the Warming Climate",
    "Drawing on twenty years of field work, she showed how small changes in street design can "
    "make summers cooler for millions of people."}},
  {{"Dr. Rahul Iyer", "Teaching Machines to Read Old Handwriting",
    "He described how his team trains software on letters from the nineteenth century, and why "
    "historians still check every line."}},
  {{"Dr. Sofia Lindqvist", "What Lakes Remember",
    "Using sediment cores, she traced a thousand years of floods, droughts and farming around "
    "lakes like our own."}}}},

{"international", "International Office", "Students Return from an Exchange Semester in {1}",
 "{2} students shared what they learned abroad at a welcome-back meeting on Friday.",
 "{2} students who spent the spring semester at partner universities in {1} met on Friday to "
 "share their experiences with those preparing to leave next year.\n\n"
 "{3}\n\n"
 "The International Office runs exchange programmes with twenty-four partner universities. "
 "Applications for the next round open in November; an information session will be held in "
 "the Student Centre.\n\n"
 "> \"The classes were different, but the biggest lesson was learning to ask for help in "
 "another language.\" — an exchange student",
 {{{"Finland", "Twelve",
    "Most took courses in education and engineering, and several joined a student choir."}},
  {{"Japan", "Nine",
    "Their projects ranged from earthquake engineering to the history of tea."}},
  {{"Chile", "Six", "Two students joined a field course on the Atacama coast."}},
  {{"Kenya", "Five",
    "They worked with a partner university on solar-powered water pumps for rural schools."}}}},

{"research", "Office of Research", "Team Publishes Study on {4}",
 "A paper by researchers and students of the college appeared this month in a peer-reviewed journal.",
 "A research team from the college has published a study on {1}, based on {2}.\n\n"
 "{3}\n\n"
 "Three undergraduate students are among the authors. \"Taking part in a real study from the "
 "first measurement to the final review taught me more than any single course,\" said one of "
 "them.\n\n"
 "The work was funded by the college's seed grant programme, which supports early-stage "
 "projects with up to 50,000 yuan. The next call opens in spring.",
 {{{"urban heat islands", "two summers of temperature readings across the town",
    "The team found that streets with trees were on average 2.5 °C cooler in the afternoon.",
    "Urban Heat Islands"}},
  {{"low-cost water filters", "laboratory tests of six filter designs",
    "A filter made of sand, charcoal and ceramic removed more than 99% of bacteria.",
    "Low-Cost Water Filters"}},
  {{"battery recycling", "a survey of 300 households and tests of collection points",
    "Clear labels and a collection box near the shop doubled the number of batteries returned.",
    "Battery Recycling"}},
  {{"bird migration along the lake shore", "five years of volunteer counts",
    "Numbers of wintering ducks rose after the wetland was restored.",
    "Bird Migration Along the Lake Shore"}}}},

{"announcements", "College Library", "Library Extends Opening Hours for {1}",
 "From {2}, the main library stays open until {3}.",
 "To support students during {1}, the main library will extend its opening hours from {2}. "
 "The reading rooms on the second and third floors will stay open until {3}.\n\n"
 "Quiet study rooms can be booked for up to three hours through the library website. Please "
 "keep food out of the reading rooms and return books you no longer need, so others can use "
 "them.\n\n"
 "The café on the ground floor will also stay open later on weekdays.",
 {{{"Final Examinations", "next Monday", "midnight"}},
  {{"Thesis Season", "the first of the month", "23:00"}},
  {{"Winter Study Week", "this Saturday", "22:00"}}}},

{"campus", "Student Affairs Office", "{1} Volunteers Help at {2}",
 "Students gave up a weekend to {3}.",
 "{1} student volunteers spent Saturday at {2}, where they helped to {3}.\n\n"
 "The activity was organised by the Student Volunteer Association, which now has more than "
 "600 members. \"Volunteering is a way to get to know the town beyond the campus,\" said the "
 "association's president.\n\n"
 "New volunteers are welcome. The association meets every second Tuesday in Room 204 of the "
 "Student Centre.",
 {{{"Forty", "the Lakeside Wetland Park", "plant reeds and clear rubbish from the shore"}},
  {{"Twenty-five", "Chenghu Primary School", "run a science fair for the pupils"}},
  {{"Thirty", "the town's Senior Activity Centre",
    "teach residents to make video calls on their phones"}}}},

{"campus", "Career Development Center", "Career Fair Draws {1} Employers to Campus",
 "Students met recruiters from {2} and more at the annual fair.",
 "The annual career fair brought {1} employers to the gymnasium on Wednesday, from local "
 "start-ups to large companies in {2}.\n\n"
 "More than 2,000 students visited during the day. Many came with printed CVs after attending "
 "the Career Development Center's workshops earlier in the month.\n\n"
 "{3}\n\n"
 "Students who missed the fair can find the list of employers and their open positions on the "
 "career portal.",
 {{{"120", "manufacturing and software", "A second fair for internships follows in spring."}},
  {{"95", "education and publishing", "Twelve employers held interviews on the spot."}},
  {{"140", "energy and engineering", "For the first time, alumni ran a CV check stand."}}}},

{"international", "International Office", "College Hosts the {1}",
 "Researchers from {2} countries met on campus for three days.",
 "The college hosted the {1} from Tuesday to Thursday, welcoming about {3} researchers from "
 "{2} countries.\n\n"
 "Sessions covered new results, teaching and cooperation between universities. Students "
 "volunteered as guides and helped run the poster session, which showed work from twelve "
 "of our own research groups.\n\n"
 "The conference ended with a boat trip on the lake and the announcement of next year's host.",
 {{{"Asian Workshop on Water and Cities", "eleven", "150"}},
  {{"International Conference on Teaching Engineering", "eighteen", "230"}},
  {{"Lakes and Wetlands Research Forum", "nine", "120"}}}},

{"research", "学院新闻中心", "{1}实验室正式揭牌启用",
 "{1}实验室日前在{2}揭牌，将面向全院师生开放。",
 "近日，{1}实验室揭牌仪式在{2}举行。学院领导、相关学院师生代表及合作企业嘉宾共八十余人出席仪式。\n\n"
 "{3}\n\n"
 "实验室负责人表示，实验室将坚持开放共享，面向本科生开设实践课程，鼓励学生尽早参与科研项目。"
 "实验室工作日开放时间为每天8:00至22:00，首次使用前须参加安全培训。\n\n"
 "下一步，学院将以实验室为平台，加强与地方企业的合作，推动科研成果转化。",
 {{{"智能制造", "工程楼一层", "实验室配备了工业机器人、三维打印机等设备，可同时容纳六十名学生开展实验。"}},
  {{"生态环境监测", "科学楼附楼", "实验室建有湖水自动监测站，可实时记录水温、溶解氧等数据。"}},
  {{"数字人文", "图书馆三楼", "实验室配备古籍扫描设备和十二台工作站，服务地方文献整理研究。"}}}},

{"sports", "体育部", "学院第{1}届田径运动会圆满落幕",
 "为期两天的运动会共有{2}名运动员参赛，{3}项纪录被打破。",
 "秋高气爽，激情飞扬。学院第{1}届田径运动会在主体育场圆满落幕。来自六个学院的{2}名运动员参加了"
 "三十二个项目的角逐。\n\n"
 "比赛中，运动员们奋勇拼搏，共有{3}项学院纪录被打破。教职工接力赛更是将比赛气氛推向高潮，"
 "看台上加油声此起彼伏。\n\n"
 "闭幕式上，学院领导为获奖代表队颁奖，并希望同学们把赛场上的拼搏精神带到学习和生活中去。",
 {{{"十八", "一千一百", "三"}},
  {{"十九", "一千二百", "五"}},
  {{"二十", "一千三百", "二"}}}},

{"announcements", "学生资助管理中心", "关于申请{1}奖学金的通知",
 "{1}奖学金即日起接受申请，本学年共设{2}个名额。",
 "为鼓励学生勤奋学习、全面发展，学院本学年继续设立{1}奖学金，共设{2}个名额。现将有关事项通知如下：\n\n"
 "## 申请条件\n\n"
 "{3}\n\n"
 "## 申请办法\n\n"
 "1. 登录学生服务平台填写申请表；\n"
 "2. 上传个人陈述一份（不超过一页）；\n"
 "3. 请一位任课教师向资助中心提交推荐意见。\n\n"
 "申请截止时间为本月最后一个工作日17:00。如有疑问，请到学生中心一楼咨询台咨询。",
 {{{"澄湖励志", "三十", "全日制本科二年级及以上学生，学习成绩优良，家庭经济困难。"}},
  {{"科技创新", "二十", "在科技竞赛、科研项目或发明创造中取得突出成绩的在校学生。"}},
  {{"国际交流", "十五", "参加学院认可的海外交流项目、学习成绩优良的在校学生。"}}}},

{"campus", "学院新闻中心", "{1}来校作专题讲座",
 "{1}以“{2}”为题作报告，吸引了三百余名师生聆听。",
 "日前，{1}应邀来校，在学术报告厅作题为“{2}”的专题讲座。讲座由科研处主持，三百余名师生到场聆听。\n\n"
 "{3}\n\n"
 "互动环节中，同学们围绕学术研究、职业规划等问题踊跃提问，主讲人一一耐心解答，现场气氛热烈。",
 {{{"林晓教授", "城市与气候变化", "讲座结合大量实地调查数据，深入浅出地介绍了街道绿化对缓解城市热岛效应的作用。"}},
  {{"周明远研究员", "人工智能与古籍整理", "讲座介绍了利用计算机识别手写古籍的最新进展，并强调了人工校对的重要性。"}},
  {{"许文静教授", "湖泊的记忆", "讲座通过湖泊沉积物样本，讲述了千年来湖区洪涝、干旱与农业变迁的故事。"}}}},

{"international", "国际交流处", "我院师生赴{1}开展交流访问",
 "代表团访问了{2}所合作高校，就学生交换与联合研究达成多项共识。",
 "近日，我院师生代表团一行{3}人赴{1}开展交流访问，先后走访了{2}所合作高校。\n\n"
 "访问期间，代表团参观了合作高校的实验室和图书馆，与对方师生就课程建设、学生交换和联合科研等"
 "议题进行了深入交流，并签署了学生交换协议。\n\n"
 "此次访问进一步拓展了学院的国际合作渠道，为更多学生赴海外学习创造了条件。",
 {{{"芬兰", "三", "八"}},
  {{"新加坡", "两", "六"}},
  {{"德国", "四", "十"}}}},

{"campus", "学生工作处", "青年志愿者走进{1}开展服务活动",
 "志愿者们利用周末时间{2}，受到广泛好评。",
 "为弘扬志愿服务精神，学院青年志愿者协会组织{3}名志愿者走进{1}开展服务活动。\n\n"
 "活动中，志愿者们{2}。大家分工明确、热情周到，用实际行动传递了温暖。\n\n"
 "学院青年志愿者协会现有注册志愿者六百余人，常年开展社区服务、支教助学和环境保护等活动，"
 "欢迎更多同学加入。",
 {{{"湖滨湿地公园", "清理湖岸垃圾、补种芦苇", "四十"}},
  {{"澄湖小学", "为小学生举办趣味科学展", "二十五"}},
  {{"社区老年活动中心", "教老人使用手机视频通话", "三十"}}}},
};
/* clang-format on */

static const char *const authors_en[] = {"Li Wen", "Sarah Okafor", "Tom Becker", "Mei Chen"};
static const char *const authors_zh[] = {"王晓雨", "陈思远", "刘畅"};

/* Appends tmpl to out with {1}..{4} replaced by the variant's values. */
static void fill(struct buf *out, const char *tmpl, const struct variant *v)
{
	buf_reset(out);
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '4' && p[2] == '}') {
			const char *s = v->v[p[1] - '1'];
			buf_puts(out, s ? s : "");
			p += 2;
		} else {
			buf_putc(out, *p);
		}
	}
	buf_cstr(out);
}

static void add_iso(cJSON *o, const char *key, long long t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, key, s);
}

static cJSON *demo_categories(void)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "slug", categories[i].slug);
		cJSON_AddStringToObject(o, "name", categories[i].name);
		if (categories[i].parent)
			cJSON_AddStringToObject(o, "parent", categories[i].parent);
		else
			cJSON_AddNullToObject(o, "parent");
		cJSON_AddNumberToObject(o, "position", categories[i].position);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *demo_document(long long now)
{
	enum { DAYS = 60 };
	const size_t ntmpl = sizeof templates / sizeof templates[0];
	size_t total = 0;
	for (size_t t = 0; t < ntmpl; t++)
		for (size_t v = 0; v < 4 && templates[t].variants[v].v[0]; v++)
			total++;

	cJSON *doc = cJSON_CreateObject(), *arts = cJSON_CreateArray();
	cJSON_AddItemToObject(doc, "categories", demo_categories());
	cJSON_AddItemToObject(doc, "articles", arts);
	struct buf b = BUF_INIT;
	/* Round-robin over the templates so that neighbours in time differ.
	 * k counts from the newest article (0); each is put in front of the
	 * array, so the document lists them oldest first and ids grow with
	 * time. */
	size_t k = 0;
	for (size_t v = 0; v < 4; v++) {
		for (size_t t = 0; t < ntmpl; t++) {
			const struct tmpl *tp = &templates[t];
			const struct variant *var = &tp->variants[v];
			if (!var->v[0])
				continue;
			bool zh = (unsigned char)tp->source[0] >= 0x80;
			cJSON *o = cJSON_CreateObject();
			fill(&b, tp->title, var);
			cJSON_AddStringToObject(o, "title", b.data);
			cJSON_AddStringToObject(o, "category", tp->category);
			fill(&b, tp->summary, var);
			cJSON_AddStringToObject(o, "summary", b.data);
			fill(&b, tp->body, var);
			cJSON_AddStringToObject(o, "body_markdown", b.data);
			cJSON_AddStringToObject(o, "source", tp->source);
			cJSON_AddStringToObject(o, "author",
			                        zh ? authors_zh[k % 3] : authors_en[k % 4]);
			/* Spread over the past DAYS days, at varied times of day. */
			long long when = now - 3600 -
			                 (long long)k * DAYS * 86400 / (long long)total -
			                 (long long)((k * 7919) % 480) * 60;
			const char *status = "published";
			if (k == 6) {
				status = "scheduled"; /* the library notice appears in three days */
				when = now + 3 * 86400;
			} else if (k == 8) {
				status = "draft";
			} else if (k == total - 1) {
				status = "archived";
			}
			cJSON_AddStringToObject(o, "status", status);
			if (!strcmp(status, "draft"))
				cJSON_AddNullToObject(o, "published_at");
			else
				add_iso(o, "published_at", when);
			/* The lab opening (with its photo) and two scholarship notices. */
			cJSON_AddBoolToObject(o, "pinned", k == 0 || k == 2 || k == 12);
			cJSON_InsertItemInArray(arts, 0, o);
			k++;
		}
	}
	buf_free(&b);
	return doc;
}
