-- CreateTable
CREATE TABLE "RankingSettings" (
    "regionId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "weights" TEXT,
    "minTickets" INTEGER,
    "publicBoard" BOOLEAN,
    "updatedById" INTEGER,
    "updatedAt" DATETIME NOT NULL
);
