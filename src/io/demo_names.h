/*
 * demo_names.h -- the word lists behind the synthetic demo data (demo.c): common first names and surnames
 * by region, towns, and the phrases the fake narratives are assembled from.
 *
 * Kept apart from demo.c so that the generator stays readable.  Every list is short and made of very common
 * names, transliterated to ASCII; combined at random they describe nobody.  Included by demo.c only.
 */
#ifndef CB_DEMO_NAMES_H
#define CB_DEMO_NAMES_H

/* A list of strings and its length. */
#define DEMO_LIST(...) {(const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)}
struct demo_list {
	const char *const *s;
	int n;
};

/* One naming region: how people from there are called and where they live.  `addr` is a template for
 * demo.c's expander: %d house number, %s street (a surname), %t town. */
struct demo_region {
	struct demo_list female, male, last, town;
	const char *addr;
};

enum demo_region_id {
	R_ENG, R_ESP, R_UKR, R_RUS, R_CAS, R_ROM, R_FIL, R_IDN, R_KHM, R_THA,
	R_MMR, R_VNM, R_CHN, R_NEP, R_SAS, R_NIG, R_EAF, R__COUNT
};

static const struct demo_region demo_regions[R__COUNT] = {
	[R_ENG] = {
		DEMO_LIST("Mary", "Jennifer", "Linda", "Patricia", "Jessica", "Sarah", "Ashley", "Emily", "Amanda",
			  "Michelle", "Nicole", "Stephanie", "Megan", "Rachel", "Laura", "Brittany", "Hannah",
			  "Samantha", "Kimberly", "Lisa"),
		DEMO_LIST("James", "John", "Robert", "Michael", "David", "William", "Joseph", "Daniel", "Matthew",
			  "Anthony", "Joshua", "Andrew", "Ryan", "Kevin", "Brian", "Tyler", "Justin", "Eric"),
		DEMO_LIST("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
			  "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark",
			  "Lewis", "Walker", "Hall", "Young"),
		DEMO_LIST("Springfield", "Riverside", "Fairview", "Greenville", "Madison", "Franklin", "Clinton"),
		"%d %s Street, %t"},
	[R_ESP] = {
		DEMO_LIST("Maria", "Guadalupe", "Juana", "Rosa", "Ana", "Carmen", "Sofia", "Daniela", "Fernanda",
			  "Lucia", "Gabriela", "Alejandra", "Veronica", "Yesenia", "Karla", "Paola", "Esmeralda",
			  "Marisol", "Elena", "Andrea"),
		DEMO_LIST("Jose", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Jesus", "Francisco",
			  "Antonio", "Alejandro", "Manuel", "Ricardo", "Fernando", "Eduardo", "Mario", "Oscar", "Javier"),
		DEMO_LIST("Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Rodriguez", "Perez", "Sanchez",
			  "Ramirez", "Flores", "Gomez", "Diaz", "Cruz", "Morales", "Reyes", "Torres", "Ortiz",
			  "Gutierrez", "Chavez", "Ramos", "Mendoza", "Vasquez"),
		DEMO_LIST("San Miguel", "Santa Cruz", "San Pedro", "La Esperanza", "Villa Nueva", "El Progreso"),
		"Calle %s %d, %t"},
	[R_UKR] = {
		DEMO_LIST("Olena", "Iryna", "Tetiana", "Natalia", "Oksana", "Svitlana", "Yulia", "Kateryna", "Anna",
			  "Maria", "Olha", "Halyna", "Viktoriia", "Liudmyla", "Nadiia", "Inna", "Alina", "Daryna"),
		DEMO_LIST("Oleksandr", "Serhii", "Andrii", "Volodymyr", "Dmytro", "Mykola", "Ivan", "Vasyl", "Yurii",
			  "Oleh", "Viktor", "Petro", "Bohdan", "Taras", "Roman", "Maksym", "Artem"),
		DEMO_LIST("Melnyk", "Shevchenko", "Kovalenko", "Bondarenko", "Boiko", "Tkachenko", "Kravchenko",
			  "Kovalchuk", "Koval", "Oliinyk", "Shevchuk", "Polishchuk", "Bondar", "Tkachuk", "Marchenko",
			  "Lysenko", "Rudenko", "Savchenko", "Moroz", "Kravets"),
		DEMO_LIST("Zhytomyr", "Vinnytsia", "Chernihiv", "Poltava", "Sumy", "Uman", "Berdychiv", "Kovel"),
		"vul. %s %d, %t"},
	[R_RUS] = {
		DEMO_LIST("Elena", "Olga", "Tatiana", "Natalia", "Irina", "Svetlana", "Anastasia", "Ekaterina",
			  "Yulia", "Marina", "Anna", "Daria", "Ksenia", "Valentina", "Galina"),
		DEMO_LIST("Aleksandr", "Sergei", "Dmitry", "Andrei", "Alexei", "Ivan", "Mikhail", "Nikolai",
			  "Vladimir", "Pavel", "Yevgeny", "Igor", "Maxim", "Roman"),
		DEMO_LIST("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov", "Mikhailov",
			  "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov"),
		DEMO_LIST("Tver", "Kursk", "Orel", "Kaluga", "Tambov", "Ryazan", "Penza"),
		"ul. %s %d, %t"},
	[R_CAS] = {
		DEMO_LIST("Gulnara", "Dilnoza", "Nilufar", "Malika", "Zarina", "Madina", "Aigul", "Feruza", "Shahnoza",
			  "Mohira", "Gulsara", "Nigora", "Aizada", "Dildora", "Saodat"),
		DEMO_LIST("Rustam", "Bakhtiyor", "Farrukh", "Jasur", "Sherzod", "Davron", "Aziz", "Timur", "Ulugbek",
			  "Firdavs", "Nurlan", "Azamat", "Bekzod", "Dilshod", "Umed", "Rahmon"),
		DEMO_LIST("Karimov", "Rakhimov", "Yusupov", "Aliev", "Sultanov", "Nazarov", "Usmonov", "Ismoilov",
			  "Tursunov", "Saidov", "Mirzaev", "Abdullaev", "Kurbanov", "Sharipov", "Nurmatov"),
		DEMO_LIST("Andijan", "Fergana", "Namangan", "Khujand", "Kulob", "Osh", "Jalal-Abad"),
		"%s ko'chasi %d, %t"},
	[R_ROM] = {
		DEMO_LIST("Maria", "Elena", "Ana", "Ioana", "Tatiana", "Natalia", "Cristina", "Mihaela", "Irina",
			  "Olga", "Svetlana", "Andreea", "Elena", "Doina", "Valentina", "Diana", "Corina", "Lilia"),
		DEMO_LIST("Ion", "Vasile", "Gheorghe", "Nicolae", "Mihai", "Andrei", "Sergiu", "Alexandru", "Vladimir",
			  "Constantin", "Victor", "Dumitru", "Igor", "Dorin", "Radu", "Stefan"),
		DEMO_LIST("Rusu", "Ceban", "Ciobanu", "Turcan", "Cebotari", "Lungu", "Munteanu", "Popa", "Sirbu",
			  "Popescu", "Rotari", "Bivol", "Cojocaru", "Moraru", "Gutu", "Roman", "Ursu", "Botnari",
			  "Ionescu", "Constantin"),
		DEMO_LIST("Balti", "Cahul", "Soroca", "Orhei", "Ungheni", "Hincesti", "Edinet", "Comrat"),
		"str. %s %d, %t"},
	[R_FIL] = {
		DEMO_LIST("Maria", "Rosalie", "Jocelyn", "Marites", "Lorna", "Cristina", "Mary Grace", "Analyn",
			  "Rowena", "Jennifer", "Maricel", "Rachelle", "Lovely", "Joy", "Arlene", "Marivic", "Shiela",
			  "Liza"),
		DEMO_LIST("Jose", "Juan", "Mark", "John Paul", "Rodel", "Jomar", "Ramon", "Ronaldo", "Eduardo",
			  "Rogelio", "Dennis", "Jerome", "Rey", "Arnel", "Christian", "Noel", "Romeo", "Edwin"),
		DEMO_LIST("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas",
			  "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino",
			  "Navarro", "Salazar", "Mercado", "Dela Cruz", "Manalo"),
		DEMO_LIST("Tarlac", "Iloilo", "Cebu City", "Davao City", "Batangas", "Pampanga", "Leyte",
			  "Zamboanga"),
		"%d %s St., %t"},
	[R_IDN] = {
		DEMO_LIST("Siti", "Sri", "Dewi", "Nur", "Ani", "Rina", "Yuliana", "Wati", "Sari", "Lestari",
			  "Fitri", "Ratna", "Indah", "Nurhayati", "Eka", "Wulan", "Putri", "Ayu"),
		DEMO_LIST("Muhammad", "Agus", "Budi", "Ahmad", "Joko", "Slamet", "Hendra", "Dedi", "Bambang",
			  "Rudi", "Andi", "Eko", "Yusuf", "Rizky", "Wahyu", "Iwan", "Hadi"),
		DEMO_LIST("Saputra", "Wijaya", "Hidayat", "Setiawan", "Kurniawan", "Susanto", "Pratama", "Siregar",
			  "Nasution", "Hasibuan", "Lubis", "Santoso", "Gunawan", "Rahmawati", "Handayani",
			  "Sulistyo", "Purnomo", "Hakim"),
		DEMO_LIST("Indramayu", "Cirebon", "Lombok Timur", "Cilacap", "Kendal", "Blitar", "Sukabumi"),
		"Jl. %s No. %d, %t"},
	[R_KHM] = {
		DEMO_LIST("Sokha", "Sreymom", "Channary", "Bopha", "Sophea", "Kunthea", "Dara", "Sreyneang",
			  "Chanthou", "Rachana", "Leakhena", "Sokunthea", "Phalla", "Srey Pov", "Malis"),
		DEMO_LIST("Sok", "Dara", "Vannak", "Sovann", "Piseth", "Rithy", "Sophal", "Chanthy", "Veasna",
			  "Kosal", "Borey", "Visal", "Sambath", "Vibol", "Chea"),
		DEMO_LIST("Sok", "Chan", "Chea", "Kim", "Keo", "Meas", "Heng", "Sam", "Long", "Ouk", "Pich", "Nget",
			  "Sun", "Seng", "Phan", "Touch", "Mao", "Yim"),
		DEMO_LIST("Battambang", "Kampong Cham", "Prey Veng", "Svay Rieng", "Takeo", "Siem Reap", "Kampot"),
		"Village %d, %s Commune, %t"},
	[R_THA] = {
		DEMO_LIST("Somchai", "Malee", "Siriporn", "Nok", "Ploy", "Kanya", "Supaporn", "Wanida", "Ratana",
			  "Pranee", "Jintana", "Orathai", "Noi", "Dao", "Lamai"),
		DEMO_LIST("Somchai", "Somsak", "Prasert", "Boonmee", "Chaiya", "Kittisak", "Anan", "Surachai",
			  "Wichai", "Thongchai", "Sombat", "Niran", "Kiet", "Bounmy", "Khamla"),
		DEMO_LIST("Saelim", "Srisuk", "Boonsong", "Thongdee", "Chaiyaporn", "Kaewkla", "Suksai",
			  "Phommachanh", "Sisavath", "Vongsa", "Rattanakorn", "Inthavong", "Kongkaew", "Wongsawat"),
		DEMO_LIST("Udon Thani", "Khon Kaen", "Nong Khai", "Chiang Rai", "Savannakhet", "Champasak"),
		"%d Moo 3, %s Road, %t"},
	[R_MMR] = {
		DEMO_LIST("Aye Aye", "Thida", "Khin Khin", "Su Su", "Moe Moe", "Nilar", "Ei Ei", "Mya Mya",
			  "Hnin Wai", "Sandar", "Zin Mar", "Thandar", "Yin Yin", "Phyu Phyu"),
		DEMO_LIST("Aung", "Kyaw", "Zaw", "Min", "Htet", "Soe", "Naing", "Win", "Thant", "Myo", "Ko Ko",
			  "Tun", "Hla", "Than"),
		DEMO_LIST("Aung", "Win", "Htun", "Oo", "Naing", "Kyaw", "Soe", "Lwin", "Myint", "Thein", "Maung",
			  "Tun", "Hlaing", "Zaw"),
		DEMO_LIST("Mawlamyine", "Pathein", "Hpa-an", "Dawei", "Magway", "Bago", "Myeik"),
		"No. %d, %s Street, %t"},
	[R_VNM] = {
		DEMO_LIST("Lan", "Huong", "Mai", "Linh", "Thu", "Hoa", "Trang", "Ngoc", "Phuong", "Thao", "Hanh",
			  "Nhung", "Yen", "Hang", "Dung"),
		DEMO_LIST("Minh", "Hung", "Tuan", "Dung", "Nam", "Hai", "Long", "Quang", "Thanh", "Duc", "Son",
			  "Cuong", "Phong", "Huy", "Khanh"),
		DEMO_LIST("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui",
			  "Do", "Ho", "Ngo", "Duong", "Ly"),
		DEMO_LIST("Nghe An", "Ha Tinh", "Thanh Hoa", "Quang Binh", "Hai Phong", "Can Tho"),
		"%d %s Street, %t"},
	[R_CHN] = {
		DEMO_LIST("Li", "Fang", "Jing", "Min", "Yan", "Hui", "Ying", "Xiu Ying", "Mei", "Ling", "Xia",
			  "Juan", "Na", "Hong", "Qing"),
		DEMO_LIST("Wei", "Qiang", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao", "Hao", "Bo", "Gang",
			  "Peng", "Hui", "Jian"),
		DEMO_LIST("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
			  "Ma", "Zhu", "Hu", "Guo", "He", "Lin"),
		DEMO_LIST("Fuzhou", "Wenzhou", "Changle", "Nanning", "Kunming", "Shenyang"),
		"No. %d %s Road, %t"},
	[R_NEP] = {
		DEMO_LIST("Sita", "Gita", "Sunita", "Anita", "Sarita", "Kamala", "Laxmi", "Radha", "Mina", "Sabina",
			  "Puja", "Sushila", "Bimala", "Nirmala", "Kabita", "Sangita"),
		DEMO_LIST("Ram", "Hari", "Krishna", "Bishnu", "Shyam", "Gopal", "Suman", "Rajesh", "Bikash", "Dipak",
			  "Santosh", "Ramesh", "Prakash", "Binod", "Kiran", "Arjun"),
		DEMO_LIST("Tamang", "Shrestha", "Gurung", "Magar", "Rai", "Thapa", "Sherpa", "Lama", "Adhikari",
			  "Karki", "Bhandari", "Khadka", "Basnet", "Poudel", "Chaudhary", "Yadav"),
		DEMO_LIST("Sindhupalchok", "Makwanpur", "Nuwakot", "Dhading", "Sunsari", "Kailali", "Jhapa"),
		"Ward %d, %s Tole, %t"},
	[R_SAS] = {
		DEMO_LIST("Fatema", "Rina", "Shirin", "Nasrin", "Ayesha", "Priya", "Sunita", "Pooja", "Rekha",
			  "Anjali", "Taslima", "Sultana", "Parvin", "Lakshmi", "Salma", "Rubina"),
		DEMO_LIST("Mohammad", "Abdul", "Rahim", "Karim", "Rajesh", "Suresh", "Ravi", "Amit", "Sanjay",
			  "Rafiq", "Jahangir", "Alamgir", "Kamal", "Manoj", "Vijay", "Shahid"),
		DEMO_LIST("Hossain", "Rahman", "Islam", "Akter", "Begum", "Khatun", "Uddin", "Kumar", "Singh",
			  "Sharma", "Das", "Devi", "Mondal", "Sarkar", "Patel", "Yadav"),
		DEMO_LIST("Satkhira", "Jessore", "Khulna", "Murshidabad", "Nadia", "Jharkhand", "Sylhet"),
		"House %d, %s Para, %t"},
	[R_NIG] = {
		DEMO_LIST("Blessing", "Joy", "Mercy", "Favour", "Precious", "Grace", "Patience", "Gift", "Esther",
			  "Faith", "Peace", "Osas", "Ngozi", "Chioma", "Aisha", "Fatima", "Adaeze", "Efe", "Abena",
			  "Akosua"),
		DEMO_LIST("Emmanuel", "Godwin", "Samuel", "Chinedu", "Ibrahim", "Musa", "Sunday", "Friday", "Osagie",
			  "Uche", "Kwame", "Kofi", "Yaw", "Abdullahi", "Daniel", "Tunde"),
		DEMO_LIST("Okafor", "Eze", "Okonkwo", "Adeyemi", "Ogunleye", "Bello", "Ibrahim", "Osagie", "Igbinedion",
			  "Omoregie", "Edo", "Nwosu", "Mensah", "Owusu", "Boateng", "Asante", "Obi", "Uzor"),
		DEMO_LIST("Benin City", "Ekpoma", "Uromi", "Onitsha", "Kumasi", "Techiman", "Auchi"),
		"%d %s Street, %t"},
	[R_EAF] = {
		DEMO_LIST("Grace", "Mary", "Faith", "Esther", "Mercy", "Agnes", "Nakato", "Babirye", "Achieng",
			  "Wanjiru", "Akinyi", "Nabirye", "Zawadi", "Amina", "Rehema"),
		DEMO_LIST("John", "Peter", "Joseph", "Moses", "Isaac", "Brian", "Ochieng", "Kamau", "Mugisha",
			  "Okello", "Baraka", "Juma", "Hassan", "Otieno", "Wasswa"),
		DEMO_LIST("Mwangi", "Otieno", "Kamau", "Wanjiku", "Ochieng", "Njoroge", "Kiprop", "Mutua", "Okello",
			  "Namubiru", "Nakato", "Ssemwanga", "Mugisha", "Tumusiime", "Kato", "Wafula"),
		DEMO_LIST("Kisumu", "Nakuru", "Eldoret", "Jinja", "Mbale", "Masaka", "Gulu"),
		"Plot %d, %s Road, %t"},
};

/* Phrases for the promised job, in the order of the promised_job value set (ISCO groups, then sectors). */
static const char *const demo_job_phrase[] = {
	"a job as a security guard", "a job managing a small shop", "a job as a teacher",
	"a job as a nursing assistant", "an office job", "a job as a waitress", "a job on a farm",
	"a job in a sewing workshop", "a job as a machine operator", "a job as a cleaner",
	/* labour sectors */
	"seasonal farm work", "a job on a fishing boat", "street work", "a job on a building site",
	"a job as a housekeeper", "a job in a hotel", "easy money", "a factory job", "a job in a mine",
	"a job selling goods in a market", "a job as a driver", "well-paid work",
};

/* What the person was made to do, in the order of the labour_sector value set. */
static const char *const demo_sector_phrase[] = {
	"work on a farm", "work on a fishing boat", "beg in the streets", "work on a building site",
	"work as a live-in domestic worker", "work in a hotel kitchen", "sell drugs", "work in a garment factory",
	"work in a mine", "sell goods in the street", "drive a delivery van", "work without pay",
};

/* Sexual exploitation, in the order of the sexual_exploitation_type value set. */
static const char *const demo_sex_phrase[] = {
	"On arrival %p passport was taken and %N was forced into prostitution.",
	"There %N was forced to appear in pornographic videos.",
	"There %N was made to perform for paying viewers online.",
	"There %N was held in a private flat and sold to clients.",
};

/* How the person was recruited, in the order of the recruitment_method value set. */
static const char *const demo_recruit_phrase[] = {
	"%R approached %N at a market stall in %H and offered %J in %D.",
	"%R approached %N outside school in %H and offered %J in %D.",
	"%N was offered %J in %D by %R met at work in %H.",
	"%N was contacted on social media by %R, who promised %J in %D.",
	"%N answered an online advertisement promising %J in %D.",
	"%N saw a television advert for %J in %D.",
	"%N answered a newspaper advertisement for %J in %D.",
	"%R arranged for %N to take %J in %D.",
	"%N heard about %J in %D from %R.",
	"%N was offered %J in %D by %R.",
	"%N was abducted by %R in %H and taken to %D.",
};

/* One sentence per means of control, in the order of the means_of_control value set. */
static const char *const demo_control_phrase[] = {
	"The traffickers threatened %o with violence.", "%N was told the police would arrest %o.",
	"The traffickers threatened %p family.", "%N was told to repay a debt that kept growing.",
	"The promised wages were never paid.", "%N was beaten.", "%N was sexually abused.",
	"All of %p earnings were taken.", "%N had no access to money.", "%N was refused medical care.",
	"Food and sleep were withheld.", "%N was insulted and humiliated every day.", "%N was given drugs.",
	"Working days lasted up to sixteen hours.", "%p documents were taken away.", "%N was not allowed to leave.",
	"%p children were used to control %o.", "The traffickers also used other means of control.",
};

/* How the person reached the office, in the order of the identified_by value set. */
static const char *const demo_exit_phrase[] = {
	"%N was identified during a police operation and referred to %O.",
	"An outreach worker met %N and referred %o to %O.",
	"%N escaped and came to %O for help.",
	"%N called the hotline and was referred to %O.",
	"%N came to %O after a consular office gave %o the address.",
	"A labour inspection found %N and referred %o to %O.",
	"%N was referred to %O.",
};

/* Other kinds of exploitation. */
static const char *const demo_other_phrase[] = {
	"%N was married against %p will to a stranger.",
	"%N was kept as a servant in a private household.",
	"%N was forced to beg for a gang.",
	"%N was pressured to sell a kidney.",
	"%N was exploited in other ways.",
};

#endif
