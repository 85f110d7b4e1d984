-- CreateTable
CREATE TABLE "RankingSettings" (
    "regionId" INTEGER NOT NULL,
    "weights" TEXT,
    "minTickets" INTEGER,
    "publicBoard" BOOLEAN,
    "updatedById" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RankingSettings_pkey" PRIMARY KEY ("regionId")
);
